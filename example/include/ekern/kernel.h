/* kernel.h - the example kernel's core types and exported functions. */
#ifndef EKERN_KERNEL_H
#define EKERN_KERNEL_H

#include "ekern/types.h"

/* A signed enum (negative values). */
enum ek_errno {
  EK_EPERM = -1,
  EK_ENOENT = -2,
  EK_ENOMEM = -12,
  EK_OK = 0,
};

/* A 64-bit unsigned enum (ENUM64 in BTF). */
enum ek_feature {
  EK_FEAT_FPU = 1ULL << 0,
  EK_FEAT_SMP = 1ULL << 1,
  EK_FEAT_HUGE = 1ULL << 40,
  EK_FEAT_ALL = 0xffffffffffffffffULL,
};

/* A 64-bit signed enum. */
enum ek_offset {
  EK_OFF_MIN = -0x100000000LL,
  EK_OFF_MAX = 0x100000000LL,
};

/* A small enum stored in one byte. */
enum __attribute__((packed)) ek_state {
  EK_STATE_NEW,
  EK_STATE_RUNNING,
  EK_STATE_DEAD,
};

struct ek_device;
struct ek_file; /* only declared: a FWD in BTF */

typedef int (*ek_irq_handler_t)(int irq, void *data);
typedef void (*ek_callback_t)(struct ek_device *dev, unsigned long arg);

/* Bitfields of several widths and base types. */
struct ek_flags {
  u32 present : 1;
  u32 writable : 1;
  u32 user : 1;
  u32 level : 3;
  u32 : 2; /* anonymous padding bitfield */
  u32 order : 8;
  u64 pfn : 40;
  u64 nid : 10;
  s32 delta : 7;
  enum ek_state state : 2;
};

/* A union with bitfields and a nested anonymous struct. */
union ek_pte {
  u64 val;
  struct {
    u64 p : 1;
    u64 rw : 1;
    u64 us : 1;
    u64 frame : 52;
  };
  u8 bytes[8];
};

struct ek_device_ops {
  int (*probe)(struct ek_device *dev);
  void (*remove)(struct ek_device *dev);
  ssize_t (*read)(struct ek_file *f, char __user *buf, size_t len, s64 *pos);
  ssize_t (*write)(struct ek_file *f, const char __user *buf, size_t len,
                   s64 *pos);
  ek_irq_handler_t irq;
  long (*ioctl)(struct ek_device *, unsigned int, unsigned long);
};

struct ek_resource {
  phys_addr_t start;
  phys_addr_t end;
  const char *name;
  unsigned long flags;
};

struct ek_device {
  const char *name;
  u32 id;
  volatile u32 status;
  const volatile u64 jiffies_seen;
  struct ek_flags flags;
  union ek_pte pte;
  struct list_head list;
  const struct ek_device_ops *ops;
  struct ek_device *parent;
  struct ek_file *file;
  void *priv;
  atomic_t refcount;
  enum ek_state state;
  enum ek_feature features;
  int matrix[4][8];
  char label[16];
  double load_avg; /* a float type, encoded with --btf_gen_floats */
  struct {
    u16 vendor;
    u16 device;
  } pci;
  union {
    struct ek_resource *res;
    unsigned long raw;
  };
  ek_callback_t callbacks[3];
  u32 nr_res;
  struct ek_resource resources[]; /* flexible array member */
};

/* A packed struct and an aligned one. */
struct __packed ek_wire_header {
  u8 type;
  u32 len;
  u16 csum;
};

struct ek_cacheline {
  aligned_u32 seq;
  u64 data[3];
} __aligned(64);

struct ek_task {
  int pid;
  enum ek_state state;
  struct list_head tasks;
  struct hlist_node pid_link;
  const struct ek_task *real_parent;
  void (*entry)(void *);
  atomic64_t utime;
  char comm[16];
  u8 __tagged("stack") * stack;
};

struct ek_rq {
  u32 nr_running;
  struct ek_task *curr;
  struct list_head queue;
  u64 clock;
};

/* Exported functions (global, so the encoder emits them as FUNCs). */
int ek_register_device(struct ek_device *dev);
void ek_unregister_device(struct ek_device *dev);
int ek_request_irq(int irq, ek_irq_handler_t handler, void *data);
void *ek_alloc(size_t size);
void ek_free(const void *p);
struct ek_task *ek_current(void);
void ek_schedule(void);
u64 ek_features(void);
enum ek_errno ek_copy_to_user(void __user *to, const void *from, size_t n);
int ek_printk(const char *fmt, ...);
void ek_list_add(struct list_head *item, struct list_head *head);

extern struct list_head ek_devices;
extern unsigned long ek_jiffies;

#endif
