/* edummy.h - types shared by the two files of the edummy module. */
#ifndef EDUMMY_H
#define EDUMMY_H

#include "ekern/kernel.h"

enum edummy_link {
  EDUMMY_LINK_DOWN,
  EDUMMY_LINK_UP,
  EDUMMY_LINK_UNKNOWN = 0xff,
};

struct edummy_packet {
  u16 proto;
  u16 len;
  u32 csum_ok : 1;
  u32 vlan : 12;
  u32 prio : 3;
  u8 payload[]; /* flexible array member */
};

struct edummy_stats {
  u64 rx_packets;
  u64 tx_packets;
  u64 drops;
};

struct edummy_priv {
  struct ek_device *dev;
  enum edummy_link link;
  struct edummy_stats stats;
  int (*xmit)(struct edummy_priv *priv, struct edummy_packet *pkt);
  struct list_head queue;
};

int edummy_xmit(struct edummy_priv *priv, struct edummy_packet *pkt);
extern const struct ek_device_ops edummy_ops;

#endif
