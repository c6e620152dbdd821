/*
** runtime/chan_file.c -- the file: channel: each email an RFC 5322 .eml,
** each SMS a .txt, named by the Message-ID.
**
** Owns: writing a message atomically (temporary file, then rename), so a
** retried send after a crash rewrites the same file and a reader never sees
** half a message.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/message.h"

typedef struct FileChan { Channel base; char *dir; int sms; } FileChan;

static SendResult fileSendOne(Channel *c, const Message *m, char *err, size_t errSize) {
  FileChan *f = (FileChan *)c;
  Buf b = { 0 };
  if (f->sms) campBufPrintf(&b, "To: %s\nMessage-ID: %s\n\n%s\n", m->toAddr, m->messageId, m->text ? m->text : "");
  else if (campMessageCheck(m, err, errSize) < 0) return SEND_FAIL;      /* a header past its limit */
  else campMessageCompose(m, &b);
  if (b.oom) { snprintf(err, errSize, "out of memory"); campBufFree(&b); return SEND_RETRY; }
  char name[512], tmp[600];
  size_t k = 0;
  for (const char *p = m->messageId; *p && k + 1 < 200; p++)     /* a safe file name */
    name[k++] = (*p == '/' || *p == '\\' || *p == '<' || *p == '>') ? '_' : *p;
  name[k] = 0;
  char path[800];
  snprintf(path, sizeof path, "%s/%s.%s", f->dir, name, f->sms ? "txt" : "eml");
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", f->dir, name);
  FILE *out = fopen(tmp, "wb");
  int ok = out && fwrite(b.p, 1, b.n, out) == b.n;
  if (out && fclose(out) != 0) ok = 0;
  if (ok && rename(tmp, path) != 0) ok = 0;
  campBufFree(&b);
  if (!ok) {
    snprintf(err, errSize, "cannot write '%.180s': %s", path, strerror(errno));
    unlink(tmp);
    return SEND_RETRY;
  }
  c->sent++;
  return SEND_OK;
}

static void fileSend(Channel *c, const Message *m, int n, SendStatus *status) {
  for (int i = 0; i < n; i++) {
    status[i].why[0] = 0;
    status[i].result = fileSendOne(c, &m[i], status[i].why, sizeof status[i].why);
    campChanSettled(c, i);
  }
}

static void fileClose(Channel *c) {
  FileChan *f = (FileChan *)c;
  free(f->dir);
  free(f);
}

Channel *campChanFileOpen(const char *dir, int sms, char *err, size_t errSize) {
  if (!*dir) { snprintf(err, errSize, "file: needs a directory (file:DIR)"); return NULL; }
  if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
    snprintf(err, errSize, "cannot create '%s': %s", dir, strerror(errno));
    return NULL;
  }
  FileChan *f = calloc(1, sizeof *f);
  if (!f) { snprintf(err, errSize, "out of memory"); return NULL; }
  f->base.kind = "file";
  f->base.dedupes = 1;
  f->base.send = fileSend;
  f->base.close = fileClose;
  f->dir = strdup(dir);
  f->sms = sms;
  return &f->base;
}
