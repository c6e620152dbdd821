/*
** cli/main.c -- camp's entry point: dispatch to one command.
**
** Owns: the top level of the command line (camp, camp --help, camp
** --version).  Does not own: any command (cli/commands.def lists them).
*/
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

int main(int argc, char **argv) {
  if (argc < 2) { campHelpList(stderr); return 2; }
  const char *c = argv[1];
  if (!strcmp(c, "--help") || !strcmp(c, "-h")) c = "help";
  if (!strcmp(c, "--version") || !strcmp(c, "-V")) c = "version";
  const CliSpec *spec = campCliFind(c);
  if (!spec) {
    fprintf(stderr, "camp: unknown command '%s' (camp help lists them)\n", argv[1]);
    return 2;
  }
  CliArgs a;
  argv[1] = (char *)spec->name;
  int rc = campCliParse(spec, argc - 1, argv + 1, &a);
  return rc == 1 ? 0 : rc ? rc : spec->run(&a);
}
