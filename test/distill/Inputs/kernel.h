/* Types a toy kernel defines and its module uses. */
typedef unsigned int u32;
typedef unsigned long long u64;
struct list_head {
  struct list_head *next, *prev;
};
enum skb_state { SKB_NEW, SKB_QUEUED, SKB_DONE };
struct sk_buff {
  struct list_head node;
  u32 len;
  u32 mark;
  enum skb_state state;
  union {
    u64 tstamp;
    void *dev;
  };
  double weight;
};
struct net_device;
struct sock {
  struct sk_buff *head;
  int (*rx)(struct sock *sk, struct sk_buff *skb);
};
int kernel_rx(struct sock *sk, struct sk_buff *skb);
