/* eblk.c - a RAM block device. */
#include "ekern/kernel.h"

#define EBLK_SECTOR_SHIFT 9

typedef u64 sector_t;

enum eblk_op {
  EBLK_OP_READ = 0,
  EBLK_OP_WRITE = 1,
  EBLK_OP_FLUSH = 2,
  EBLK_OP_DISCARD = 3,
};

struct eblk_request {
  sector_t sector;
  u32 nr_sectors;
  enum eblk_op op : 4;
  u32 sync : 1;
  u32 fua : 1;
  void *buffer;
  struct list_head queuelist;
  void (*end_io)(struct eblk_request *rq, int error);
};

struct eblk_disk {
  struct ek_resource res; /* a kernel struct, embedded */
  struct ek_device *dev;
  const char *disk_name;
  sector_t capacity;
  u8 *data;
  struct eblk_request *inflight[8];
  union {
    u32 flags;
    struct {
      u32 read_only : 1;
      u32 rotational : 1;
    };
  };
};

static struct eblk_disk ramdisk = {
    .disk_name = "eblk0",
    .capacity = 2048,
};

int eblk_submit(struct eblk_disk *disk, struct eblk_request *rq) {
  u64 off = rq->sector << EBLK_SECTOR_SHIFT;
  u64 len = (u64)rq->nr_sectors << EBLK_SECTOR_SHIFT;
  u8 *p = rq->buffer;
  int err = 0;
  if (rq->sector + rq->nr_sectors > disk->capacity)
    err = EK_EPERM;
  else if (rq->op == EBLK_OP_WRITE && disk->read_only)
    err = EK_EPERM;
  else if (rq->op == EBLK_OP_READ)
    for (u64 i = 0; i < len; i++)
      p[i] = disk->data[off + i];
  else if (rq->op == EBLK_OP_WRITE)
    for (u64 i = 0; i < len; i++)
      disk->data[off + i] = p[i];
  if (rq->end_io)
    rq->end_io(rq, err);
  return err;
}

int init_module(void) {
  ramdisk.data = ek_alloc(ramdisk.capacity << EBLK_SECTOR_SHIFT);
  if (!ramdisk.data)
    return EK_ENOMEM;
  ramdisk.res.name = ramdisk.disk_name;
  ramdisk.res.end = ramdisk.capacity << EBLK_SECTOR_SHIFT;
  return 0;
}

void cleanup_module(void) { ek_free(ramdisk.data); }
