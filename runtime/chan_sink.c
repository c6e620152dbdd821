/*
** runtime/chan_sink.c -- the sink: channel: counts messages, sends nothing
** (benchmarks and dry runs).
*/
#include <stdlib.h>
#include "runtime/message.h"

static void sinkSend(Channel *c, const Message *m, int n, SendStatus *status) {
  (void)m;
  for (int i = 0; i < n; i++) { status[i].result = SEND_OK; status[i].why[0] = 0; campChanSettled(c, i); }
  c->sent += n;
}

static void sinkClose(Channel *c) { free(c); }

Channel *campChanSinkOpen(void) {
  Channel *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->kind = "sink";
  c->dedupes = 1;
  c->send = sinkSend;
  c->close = sinkClose;
  return c;
}
