#include "kernel.h"

enum sched_state { RUNNING, SLEEPING = 4, DEAD = -1 };

struct rq {
  struct list_head queue;
  enum sched_state state;
  unsigned long nr_running;
};

__attribute__((section(".data..percpu"))) struct rq runqueues;

long schedule(struct task *t) { return t->pid + (long)runqueues.nr_running; }
