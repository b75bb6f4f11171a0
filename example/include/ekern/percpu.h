/* percpu.h - per-CPU variables of the example kernel. */
#ifndef EKERN_PERCPU_H
#define EKERN_PERCPU_H

#include "ekern/kernel.h"

struct ek_percpu_stats {
  u64 ticks;
  u64 irqs[4];
  s64 balance;
};

extern __typeof__(struct ek_rq) runqueues;
extern __typeof__(struct ek_task *) current_task;
extern __typeof__(unsigned long) irq_count;
extern __typeof__(struct ek_percpu_stats) cpu_stats;

struct ek_task *ek_create_task(const char *name, void (*entry)(void *));

#endif
