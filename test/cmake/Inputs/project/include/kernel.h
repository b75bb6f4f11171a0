#ifndef KERNEL_H
#define KERNEL_H

struct list_head {
  struct list_head *next, *prev;
};

struct task {
  int pid;
  unsigned int state : 4;
  unsigned int flags : 12;
  struct list_head tasks;
  const char *comm;
};

typedef long (*handler_t)(struct task *t, int arg);

extern struct task init_task;
long kernel_dispatch(struct task *t, handler_t h);

#endif
