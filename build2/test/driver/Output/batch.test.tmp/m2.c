struct point { int x, y; };
enum color { RED, GREEN };
struct pixel { struct point at; enum color c; };
int m2_get(struct pixel *p) { return p->c; }
