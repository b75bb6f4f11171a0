#include "kernel.h"

struct task init_task = {.pid = 1, .comm = "init"};
__attribute__((section(".data..percpu"))) int cpu_number;

long kernel_dispatch(struct task *t, handler_t h) { return h(t, cpu_number); }

void start_kernel(void) {
  for (;;)
    ;
}
