/* etrace.c - trace scheduler events into a ring buffer. */
#include "ekern/kernel.h"

typedef void (*etrace_probe_fn)(void *ctx, const struct ek_task *task);
typedef struct etrace_event etrace_event_t;

enum etrace_level {
  ETRACE_OFF = -1,
  ETRACE_INFO = 0,
  ETRACE_DEBUG = 1,
};

struct etrace_event {
  u64 timestamp;
  s32 pid;
  char comm[16];
  enum ek_state state;
  float weight; /* a float type */
};

struct etrace_ring {
  u32 head;
  u32 tail;
  const u32 size;
  etrace_event_t events[64];
};

struct etrace_probe {
  const char *name;
  etrace_probe_fn fn;
  void *ctx;
  struct etrace_probe *next;
};

static struct etrace_ring ring = {.size = 64};
static struct etrace_probe *probes;
enum etrace_level etrace_level = ETRACE_INFO;

void etrace_record(const struct ek_task *task) {
  etrace_event_t *e = &ring.events[ring.head % ring.size];
  int i;
  e->timestamp = ek_jiffies;
  e->pid = task->pid;
  e->state = task->state;
  for (i = 0; i < 16; i++)
    e->comm[i] = task->comm[i];
  ring.head++;
  for (struct etrace_probe *p = probes; p; p = p->next)
    p->fn(p->ctx, task);
}

int etrace_register_probe(struct etrace_probe *p) {
  p->next = probes;
  probes = p;
  return 0;
}

int init_module(void) {
  if (etrace_level == ETRACE_OFF)
    return EK_EPERM;
  etrace_record(ek_current());
  return 0;
}

void cleanup_module(void) { probes = NULL; }
