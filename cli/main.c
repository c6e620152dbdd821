/*
** cli/main.c -- camp's entry point: dispatch to one command.
**
** Owns: the command table and `camp help`.  Does not own: any command.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

static const struct { const char *name; int (*fn)(int, char **); const char *summary; } commands[] = {
#define COMMAND(name, fn, summary) { #name, fn, summary },
#include "cli/commands.def"
#undef COMMAND
};

static int usage(FILE *out) {
  fputs("usage: camp COMMAND [OPTIONS] ...\n\ncommands:\n", out);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  return out == stderr ? 2 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage(stderr);
  if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
    return usage(stdout);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "camp: unknown command '%s' (camp help lists them)\n", argv[1]);
  return 2;
}
