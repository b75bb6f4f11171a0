/* edummy_ops.c - the device operations of edummy. */
#include "edummy.h"

static int edummy_probe(struct ek_device *dev) {
  struct edummy_priv *priv = dev->priv;
  priv->link = EDUMMY_LINK_DOWN;
  return 0;
}

static ssize_t edummy_write(struct ek_file *f, const char __user *buf,
                            size_t len, s64 *pos) {
  struct edummy_packet *pkt = ek_alloc(sizeof(*pkt) + len);
  (void)f;
  (void)buf;
  if (!pkt)
    return EK_ENOMEM;
  pkt->len = (u16)len;
  *pos += len;
  return len;
}

long edummy_ioctl(struct ek_device *dev, unsigned int cmd, unsigned long arg) {
  struct edummy_priv *priv = dev->priv;
  if (cmd == 1)
    priv->link = arg ? EDUMMY_LINK_UP : EDUMMY_LINK_DOWN;
  return priv->link;
}

const struct ek_device_ops edummy_ops = {
    .probe = edummy_probe,
    .write = edummy_write,
    .ioctl = edummy_ioctl,
};
