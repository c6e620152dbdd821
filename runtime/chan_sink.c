/*
** runtime/chan_sink.c -- the sink: channel: counts messages, sends nothing
** (benchmarks and dry runs); a keeping sink also holds a copy of each
** message's Message-ID, recipient, subject and plain text (derived from
** the HTML when the email has none, as it is composed; camp test checks
** what went out against them).
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/compose.h"
#include "runtime/message.h"

typedef struct Sink {
  Channel c;                    /* first: a Sink is a Channel */
  int keep;
  SinkMessage *v;
  size_t n, cap;
} Sink;

static char *dupOrNull(const char *s) { return s ? strdup(s) : NULL; }

/* A copy of m at the end of s->v; 0, or -1 on out of memory. */
static int keepMessage(Sink *s, const Message *m) {
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 16;
    SinkMessage *nv = realloc(s->v, nc * sizeof *nv);
    if (!nv) return -1;
    s->v = nv;
    s->cap = nc;
  }
  SinkMessage *k = &s->v[s->n];
  k->messageId = dupOrNull(m->messageId);
  k->to = dupOrNull(m->toAddr);
  k->subject = dupOrNull(m->subject);
  k->text = m->text ? strdup(m->text) : m->html ? campComposeText(m->html) : NULL;   /* the plain part as composed */
  if ((m->messageId && !k->messageId) || (m->toAddr && !k->to) || (m->subject && !k->subject) || ((m->text || m->html) && !k->text)) {
    free(k->messageId); free(k->to); free(k->subject); free(k->text);
    return -1;
  }
  s->n++;
  return 0;
}

static void sinkSend(Channel *c, const Message *m, int n, SendStatus *status) {
  Sink *s = (Sink *)c;
  for (int i = 0; i < n; i++) {
    if (s->keep && keepMessage(s, &m[i]) < 0) {
      status[i].result = SEND_RETRY;
      strcpy(status[i].why, "out of memory");
    } else {
      status[i].result = SEND_OK;
      status[i].why[0] = 0;
      c->sent++;
    }
    campChanSettled(c, i);
  }
}

static void sinkClose(Channel *c) {
  Sink *s = (Sink *)c;
  for (size_t i = 0; i < s->n; i++) { free(s->v[i].messageId); free(s->v[i].to); free(s->v[i].subject); free(s->v[i].text); }
  free(s->v);
  free(s);
}

static Channel *sinkOpen(int keep) {
  Sink *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->keep = keep;
  s->c.kind = "sink";
  s->c.dedupes = 1;
  s->c.send = sinkSend;
  s->c.close = sinkClose;
  return &s->c;
}

Channel *campChanSinkOpen(void) { return sinkOpen(0); }
Channel *campChanSinkOpenKeeping(void) { return sinkOpen(1); }

const SinkMessage *campChanSinkFind(Channel *c, const char *messageId) {
  Sink *s = (Sink *)c;
  for (size_t i = s->n; i-- > 0;)
    if (s->v[i].messageId && !strcmp(s->v[i].messageId, messageId)) return &s->v[i];
  return NULL;
}
