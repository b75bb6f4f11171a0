struct point { int x, y; };
struct point origin;
int base_fn(struct point *p) { return p->x + p->y; }
