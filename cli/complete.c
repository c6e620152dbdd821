/*
** cli/complete.c -- `camp complete`: the words the shell completions offer.
**
** Owns: printing, one a line, the visible commands, one command's options
** (from its CliSpec), the campaign names of a database and one campaign's
** activity names, for completions/camp.bash and completions/_camp.  It
** never fails loudly: no database, or an unreadable one, prints nothing
** and exits 0, since a <TAB> must not print errors.  Does not own: the
** option tables (cli/args.c) or reading the names (runtime/store_names.c).
*/
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

static void printName(void *ctx, const char *name) {
  (void)ctx;
  puts(name);
}

/* "--name<TAB>VALUE<TAB>help" for each option cmd accepts (VALUE empty for
** a flag); short letters are aliases and left out. */
static void printOptions(const CliSpec *spec) {
  CliOptUse use[CLI_NOPT];
  size_t n = campCliOptions(spec, use);
  for (size_t i = 0; i < n; i++) {
    const char *name, *value, *help;
    campCliOptionInfo(use[i].id, &name, &value, &help);
    printf("--%s\t%s\t%s\n", name, value ? value : "", use[i].help ? use[i].help : help);
  }
}

static int complete(const CliArgs *a) {
  const char *what = a->npos ? a->pos[0] : "";
  if (!strcmp(what, "commands") && a->npos == 1) {
    for (size_t i = 0; i < campCliNCommands; i++)
      if (!campCliCommands[i]->hidden) puts(campCliCommands[i]->name);
    return 0;
  }
  if (!strcmp(what, "options") && a->npos == 2) {
    const CliSpec *spec = campCliFind(a->pos[1]);
    if (spec) printOptions(spec);
    return 0;
  }
  if ((!strcmp(what, "campaigns") && a->npos == 1) || (!strcmp(what, "activities") && a->npos == 2)) {
    campStoreNames(campCliDbPath(a->opt[O_DB]), a->npos == 2 ? a->pos[1] : NULL, printName, NULL);
    return 0;
  }
  return campCliUsage(a->cmd, "usage: camp complete commands | options CMD | campaigns | activities CAMPAIGN");
}

const CliSpec campCmdComplete = {
  "complete", "the words shell completion offers (for the completion scripts)", complete,
  "camp complete commands\ncamp complete options COMMAND\ncamp complete [--db DB] campaigns\n"
  "camp complete [--db DB] activities CAMPAIGN",
  "Prints one word a line.  Options print as --name, TAB, the value's name (empty for a flag), TAB, "
  "the help.\nNames come from the database read only; without one nothing is printed.",
  (const CliOptUse[]){ { O_DB, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp complete --db shop.db activities welcome_flow",
  "0\tdone (also when there is no database)\n2\tusage error", 1,
};
