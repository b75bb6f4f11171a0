/* main.c - entry point, device registry and a tiny allocator. */
#include "ekern/kernel.h"

struct list_head ek_devices = {&ek_devices, &ek_devices};
unsigned long ek_jiffies;
static u8 heap[1 << 16] __aligned(16);
static size_t heap_used;
static struct ek_irq_slot {
  ek_irq_handler_t handler;
  void *data;
} irq_table[16];

void ek_list_add(struct list_head *item, struct list_head *head) {
  item->next = head->next;
  item->prev = head;
  head->next->prev = item;
  head->next = item;
}

void *ek_alloc(size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (heap_used + size > sizeof(heap))
    return NULL;
  heap_used += size;
  return &heap[heap_used - size];
}

void ek_free(const void *p) { (void)p; }

int ek_register_device(struct ek_device *dev) {
  if (!dev || !dev->ops)
    return EK_ENOENT;
  if (dev->ops->probe) {
    int err = dev->ops->probe(dev);
    if (err)
      return err;
  }
  dev->state = EK_STATE_RUNNING;
  ek_list_add(&dev->list, &ek_devices);
  return 0;
}

void ek_unregister_device(struct ek_device *dev) {
  dev->list.prev->next = dev->list.next;
  dev->list.next->prev = dev->list.prev;
  if (dev->ops && dev->ops->remove)
    dev->ops->remove(dev);
  dev->state = EK_STATE_DEAD;
}

int ek_request_irq(int irq, ek_irq_handler_t handler, void *data) {
  if (irq < 0 || irq >= (int)(sizeof(irq_table) / sizeof(irq_table[0])))
    return EK_EPERM;
  irq_table[irq].handler = handler;
  irq_table[irq].data = data;
  return 0;
}

u64 ek_features(void) { return EK_FEAT_FPU | EK_FEAT_SMP | EK_FEAT_HUGE; }

enum ek_errno ek_copy_to_user(void __user *to, const void *from, size_t n) {
  volatile u8 *d = (volatile u8 *)(unsigned long)to;
  const u8 *s = from;
  while (n--)
    *d++ = *s++;
  return EK_OK;
}

int ek_printk(const char *fmt, ...) {
  int n = 0;
  while (fmt[n])
    n++;
  return n;
}

/* Referenced so the types below reach the DWARF even though nothing uses them
 * at run time. */
struct ek_wire_header ek_last_header;
struct ek_cacheline ek_cachelines[2];
enum ek_offset ek_offset_limit = EK_OFF_MAX;
union ek_pte ek_zero_pte;

void ek_start_kernel(void);

__attribute__((noreturn)) void _start(void) {
  ek_start_kernel();
  for (;;)
    __asm__ volatile("" ::: "memory");
}
