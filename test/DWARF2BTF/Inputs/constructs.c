/* Every C construct the encoder handles, for the DWARF2BTF lit tests. */
typedef unsigned long long u64;
typedef signed char s8;

struct bits {
  unsigned int a : 3;
  int b : 5;
  unsigned long long c : 40;
  char d;
  _Bool flag;
};

struct plain {
  int x;
  union {
    long l;
    float f;
  };
  struct {
    short s;
  } named;
  double d;
  long double ld;
};

struct flex {
  int n;
  char data[];
};

struct zero {
  int n;
  char none[0];
};

enum small_unsigned { SU_A = 1, SU_B = 2 };
enum small_signed { SS_NEG = -1, SS_POS = 1 };
enum big_unsigned { BU_BIG = 0xffffffffffULL };
enum big_signed { BS_NEG = -0x7fffffffffLL, BS_POS = 1 };

struct opaque;

struct all {
  struct bits b;
  struct plain p;
  int matrix[3][4];
  const volatile int cv;
  char *restrict rp;
#ifdef NO_ATOMIC /* pahole 1.24 turns _Atomic members into void */
  int at;
#else
  _Atomic int at;
#endif
  struct opaque *op;
  int (*fp)(int, const char *, ...);
  void (*vp)(void);
  enum small_unsigned su;
  enum small_signed ss;
  enum big_unsigned bu;
  enum big_signed bs;
  u64 big;
  s8 tiny;
  unsigned char uc;
  char c;
};

__attribute__((section(".data..percpu"))) struct all pcpu_all;
__attribute__((section(".data..percpu"))) static int pcpu_counter;
int not_percpu;

int use_all(struct all *a, struct flex *f, struct zero *z, int n, ...) {
  pcpu_counter += n;
  return a->matrix[1][2] + f->n + z->n + pcpu_counter;
}

static inline int unused_inline(int x) { return x + 1; }

int declared_only(int);

void no_args(void) {}
