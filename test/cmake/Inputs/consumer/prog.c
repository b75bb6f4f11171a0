struct point {
  int x, y;
};

struct point origin;

int entry(void) { return origin.x + origin.y; }
