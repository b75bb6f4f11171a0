#include "kernel.h"

struct mod1_state {
  struct task *owner;
  unsigned long counter;
#ifdef MOD1_EXTRA
  int extra;
#endif
};

static struct mod1_state state;

long mod1_handler(struct task *t, int arg) {
  state.owner = t;
  return ++state.counter + arg;
}

long mod1_init(void) { return kernel_dispatch(&init_task, mod1_handler); }
