/*
** runtime/esp_mailchimp.c -- STUB (issue 13 foundation): the mailchimp driver is being
** written; every call fails.
*/
#include <stdio.h>
#include "runtime/esp.h"

static int notYet(EspConn *c, char *err, size_t errSize) {
  (void)c;
  snprintf(err, errSize, "mailchimp: not implemented yet");
  return -1;
}

const EspDriver campEspMailchimp = { .name = "mailchimp", .open = notYet };
