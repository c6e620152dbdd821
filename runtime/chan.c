/*
** runtime/chan.c -- choosing a channel from its URL.
**
** Owns: the URL schemes of --mail and --sms, and libcurl's one global
** initialisation.  Each carrier lives in its own chan_*.c file.
*/
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "runtime/message.h"

static CURLcode curlStatus;
static void curlStart(void) { curlStatus = curl_global_init(CURL_GLOBAL_DEFAULT); }

int campChanCurlInit(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, curlStart);
  return curlStatus == CURLE_OK ? 0 : -1;
}

static Channel *open(const char *url, int sms, int connections, char *err, size_t errSize) {
  if (!strncmp(url, "file:", 5)) return campChanFileOpen(url + 5, sms, err, errSize);
  if (!strcmp(url, "sink:") || !strcmp(url, "sink")) return campChanSinkOpen();
  if (!sms && (!strncmp(url, "smtp://", 7) || !strncmp(url, "smtps://", 8)))
    return campChanSmtpOpen(url, connections, err, errSize);
  if (sms && (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8)))
    return campChanHttpOpen(url, connections, err, errSize);
  snprintf(err, errSize, "unsupported %s channel '%s' (use %s, file:DIR or sink:)", sms ? "SMS" : "mail", url,
           sms ? "http(s)://GATEWAY" : "smtp://HOST:PORT, smtps://HOST:PORT");
  return NULL;
}

Channel *campChanOpenMail(const char *url, int connections, char *err, size_t errSize) {
  return open(url, 0, connections, err, errSize);
}
Channel *campChanOpenSms(const char *url, int connections, char *err, size_t errSize) {
  return open(url, 1, connections, err, errSize);
}

void campChanSettled(Channel *c, int i) {
  if (c->done) c->done(c->doneCtx, i);
}

int campChanStopping(const Channel *c) { return (c->stop && *c->stop) || (c->lost && *c->lost); }

void campChanClose(Channel *c) {
  if (c) c->close(c);
}
