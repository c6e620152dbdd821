/*
** runtime/chan_sink.c -- the sink: channel: counts messages, sends nothing
** (benchmarks and dry runs).
*/
#include <stdlib.h>
#include "runtime/message.h"

static SendResult sinkSend(Channel *c, const Message *m, char *err, size_t errSize) {
  (void)m; (void)err; (void)errSize;
  c->sent++;
  return SEND_OK;
}

static void sinkClose(Channel *c) { free(c); }

Channel *campChanSinkOpen(void) {
  Channel *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->kind = "sink";
  c->send = sinkSend;
  c->close = sinkClose;
  return c;
}
