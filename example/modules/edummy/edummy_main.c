/* edummy_main.c - a dummy network device: module init and exit. */
#include "edummy.h"

/* A per-CPU variable of a module. */
DEFINE_PER_CPU(struct edummy_stats, edummy_pcpu_stats);

static struct edummy_priv edummy_priv;
static struct ek_device edummy_dev = {
    .name = "edummy0",
    .ops = &edummy_ops,
    .priv = &edummy_priv,
};

int edummy_xmit(struct edummy_priv *priv, struct edummy_packet *pkt) {
  if (priv->link != EDUMMY_LINK_UP) {
    priv->stats.drops++;
    edummy_pcpu_stats.drops++;
    return EK_ENOENT;
  }
  priv->stats.tx_packets++;
  edummy_pcpu_stats.tx_packets += pkt->len ? 1 : 0;
  return 0;
}

int init_module(void) {
  edummy_priv.dev = &edummy_dev;
  edummy_priv.xmit = edummy_xmit;
  edummy_priv.link = EDUMMY_LINK_UP;
  return ek_register_device(&edummy_dev);
}

void cleanup_module(void) { ek_unregister_device(&edummy_dev); }
