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
