/* sched.c - a round-robin scheduler with per-CPU run queues. */
#include "ekern/kernel.h"
#include "ekern/percpu.h"

DEFINE_PER_CPU(struct ek_rq, runqueues);
DEFINE_PER_CPU(struct ek_task *, current_task);
DEFINE_PER_CPU(unsigned long, irq_count);
DEFINE_PER_CPU(int, cpu_number) = 0;

static struct ek_task init_task = {
    .pid = 0,
    .state = EK_STATE_RUNNING,
    .tasks = {&init_task.tasks, &init_task.tasks},
    .comm = "swapper",
};

struct ek_task *ek_current(void) {
  return current_task ? current_task : &init_task;
}

void ek_schedule(void) {
  struct ek_rq *rq = &runqueues;
  struct list_head *next = rq->queue.next;
  rq->clock++;
  irq_count++;
  if (next && next != &rq->queue) {
    struct ek_task *t =
        (struct ek_task *)((char *)next -
                           __builtin_offsetof(struct ek_task, tasks));
    rq->curr = t;
    current_task = t;
  }
}

struct ek_task *ek_create_task(const char *name, void (*entry)(void *)) {
  struct ek_task *t = ek_alloc(sizeof(*t));
  int i;
  if (!t)
    return NULL;
  t->pid = ++runqueues.nr_running;
  t->entry = entry;
  t->real_parent = ek_current();
  for (i = 0; i < 15 && name[i]; i++)
    t->comm[i] = name[i];
  t->comm[i] = 0;
  if (!runqueues.queue.next) {
    runqueues.queue.next = &runqueues.queue;
    runqueues.queue.prev = &runqueues.queue;
  }
  ek_list_add(&t->tasks, &runqueues.queue);
  return t;
}
