/*
** runtime/chan_http.c -- placeholder until the carrier lands (issue 4): refuses to open.
*/
#include <stdio.h>
#include "runtime/message.h"

Channel *campChanHttpOpen(const char *url, int connections, char *err, size_t errSize) {
  (void)connections;
  snprintf(err, errSize, "'%s': this carrier is not built yet", url);
  return NULL;
}

SendResult campHttpPostJson(const char *url, const char *json, const char *authHeader, long timeoutMs, char *why, size_t whySize) {
  (void)json; (void)authHeader; (void)timeoutMs;
  snprintf(why, whySize, "'%s': HTTP is not built yet", url);
  return SEND_FAIL;
}
