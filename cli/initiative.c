/*
** cli/initiative.c -- camp initiatives: every initiative (Oro's marketing
** campaign) with its code and past codes, period, budget, scale and
** members.
**
** Owns: the command's options and exit codes.  Does not own: what is
** printed (runtime/store_initiative.c) or `camp report --initiative`
** (cli/db.c).
*/
#include <stdio.h>
#include "cli/cli.h"
#include "runtime/engine.h"
#include "runtime/store.h"

static int initiatives(const CliArgs *a) {
  static const char *const formats[] = { "table", "json", NULL };
  ReportFormat f;
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  if (a->npos) return campCliUsage(a->cmd, "usage: camp initiatives [--db DB] [--format table|json]");
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp %s: %s\n", a->cmd, err); return 1; }
  int rc = campStoreInitiatives(e, f, stdout, err, sizeof err);
  if (rc < 0) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  campEngineClose(e);
  return rc < 0 ? 1 : 0;
}

const CliSpec campCmdInitiatives = {
  "initiatives", "every initiative with its codes, period, budget and members", initiatives,
  "camp initiatives [--db DB] [--format table|json]",
  "An initiative groups mailings and campaigns (docs/RUNTIME.md, \"Initiatives\"); its code is the UTM\n"
  "campaign of their links, and every code it had still finds it: camp report --initiative CODE.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_FORMAT, "table (default) or json" }, { CLI_NOPT, NULL } },
  NULL, "camp initiatives --db shop.db --format json",
  "0\tdone\n1\tthe database failed\n2\tusage error", 0,
};
