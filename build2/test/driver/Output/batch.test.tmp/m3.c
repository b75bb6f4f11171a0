typedef unsigned long size_t;
struct buf { char *data; size_t len; };
size_t m3_len(struct buf *b) { return b->len; }
