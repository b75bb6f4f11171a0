struct point { int x, y; };
struct line { struct point a, b; };
int m1_len(struct line *l) { return l->b.x - l->a.x; }
