#include "kernel.h"

/* Embeds kernel types (their size matters), points to others. */
struct mod_queue {
  struct list_head items;
  struct sk_buff last;
  struct net_device *dev;
  struct {
    u32 hits, misses;
  } stats;
  enum skb_state state;
};

struct mod_queue mod_q;

int mod_rx(struct sock *sk, struct sk_buff *skb) {
  mod_q.last = *skb;
  mod_q.stats.hits++;
  return kernel_rx(sk, skb) + (int)mod_q.last.weight;
}
