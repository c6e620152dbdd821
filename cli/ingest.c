/*
** cli/ingest.c -- placeholder until `camp ingest` lands (issue 4).
*/
#include <stdio.h>
#include "cli/cli.h"

int campCmdIngest(int argc, char **argv) {
  (void)argc;
  return campCliUsage(argv[0], "not built yet");
}
