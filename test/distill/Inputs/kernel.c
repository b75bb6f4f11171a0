#include "kernel.h"

struct net_device {
  char name[16];
  struct sock *sk;
};

struct net_device kernel_dev;
struct sk_buff kernel_skb;

int kernel_rx(struct sock *sk, struct sk_buff *skb) {
  sk->head = skb;
  return (int)skb->len + (kernel_dev.sk == sk);
}
