/*
** cli/serve.c -- placeholder until `camp serve` lands (issue 4).
*/
#include <stdio.h>
#include "cli/cli.h"

int campCmdServe(int argc, char **argv) {
  (void)argc;
  return campCliUsage(argv[0], "not built yet");
}
