/*
** runtime/esp_dotdigital.c -- STUB (issue 13 foundation): the dotdigital driver is being
** written; every call fails.
*/
#include <stdio.h>
#include "runtime/esp.h"

static int notYet(EspConn *c, char *err, size_t errSize) {
  (void)c;
  snprintf(err, errSize, "dotdigital: not implemented yet");
  return -1;
}

const EspDriver campEspDotdigital = { .name = "dotdigital", .open = notYet };
