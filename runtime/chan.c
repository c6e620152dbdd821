/*
** runtime/chan.c -- choosing a channel from its URL.
**
** Owns: the URL schemes of --mail and --sms.  Each carrier lives in its own
** chan_*.c file.
*/
#include <stdio.h>
#include <string.h>
#include "runtime/message.h"

static Channel *open(const char *url, int sms, char *err, size_t errSize) {
  if (!strncmp(url, "file:", 5)) return campChanFileOpen(url + 5, sms, err, errSize);
  if (!strcmp(url, "sink:") || !strcmp(url, "sink")) return campChanSinkOpen();
  snprintf(err, errSize, "unsupported %s channel '%s' (use file:DIR or sink:)", sms ? "SMS" : "mail", url);
  return NULL;
}

Channel *campChanOpenMail(const char *url, char *err, size_t errSize) { return open(url, 0, err, errSize); }
Channel *campChanOpenSms(const char *url, char *err, size_t errSize) { return open(url, 1, err, errSize); }

void campChanClose(Channel *c) {
  if (c) c->close(c);
}
