/* init.c - boot: statistics, a console device and the first tasks. */
#include "ekern/kernel.h"
#include "ekern/percpu.h"

DEFINE_PER_CPU(struct ek_percpu_stats, cpu_stats);

static ssize_t console_write(struct ek_file *f, const char __user *buf,
                             size_t len, s64 *pos) {
  (void)f;
  (void)buf;
  *pos += len;
  return (ssize_t)len;
}

static int console_probe(struct ek_device *dev) {
  dev->status = 1;
  return 0;
}

static const struct ek_device_ops console_ops = {
    .probe = console_probe,
    .write = console_write,
};

static struct ek_device console = {
    .name = "console",
    .ops = &console_ops,
    .label = "ttyS0",
};

static int timer_irq(int irq, void *data) {
  (void)irq;
  (void)data;
  cpu_stats.ticks++;
  ek_jiffies++;
  ek_schedule();
  return 0;
}

static void idle(void *arg) { (void)arg; }

void ek_start_kernel(void) {
  struct ek_flags fl = {.present = 1, .level = 3, .pfn = 0x12345};
  console.flags = fl;
  ek_register_device(&console);
  ek_request_irq(0, timer_irq, NULL);
  ek_create_task("idle", idle);
  if (ek_features() & EK_FEAT_SMP)
    ek_printk("smp\n");
}
