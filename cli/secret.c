/*
** cli/secret.c -- `camp secret rotate|retire [--db DB]`.
**
** Owns: the command line of the database's own secret (runtime/store_engine.c
** makes and keeps it).  rotate: a new random secret signs from now on and
** the old one still verifies tracking links already sent; retire: the
** previous secrets stop verifying.  The secrets themselves are never
** printed.  Exit 0, 1 on a database error, 2 on usage.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static int secret(const CliArgs *a) {
  const char *db = a->opt[O_DB], *action = a->npos == 1 ? a->pos[0] : NULL;
  const char *extra = a->npos > 1 ? a->pos[1] : action && strcmp(action, "rotate") && strcmp(action, "retire") ? action : NULL;
  if (extra) return campCliUsage(a->cmd, "unknown argument '%s' (use camp secret rotate|retire [--db DB])", extra);
  if (!action) return campCliUsage(a->cmd, "give rotate (a new secret; the old one still verifies) or retire (forget the old ones)");
  db = campCliDbPath(db);
  char err[512];
  Engine *e = campEngineOpen(db, 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp secret: %s\n", err); return 1; }
  int retire = !strcmp(action, "retire");
  int rc = campEngineSecretRotate(e, retire, err, sizeof err);
  if (rc < 0) fprintf(stderr, "camp secret: %s\n", err);
  else if (retire) printf("%s: previous secrets retired: links they signed no longer verify\n", campEngineName(e));
  else printf("%s: new secret; the previous one still verifies until camp secret retire (restart camp serve to use it)\n", campEngineName(e));
  if (getenv("CAMP_SECRET") && *getenv("CAMP_SECRET") && rc == 0)
    fprintf(stderr, "camp secret: note: $CAMP_SECRET is set and signs instead of the database's secret\n");
  campEngineClose(e);
  return rc < 0 ? 1 : 0;
}

const CliSpec campCmdSecret = {
  "secret", "rotate the database's tracking secret (the old one verifies until retire)", secret,
  "camp secret [--db DB] rotate|retire",
  "rotate: a new random secret signs from now on; links already sent still verify.\n"
  "retire: the previous secrets stop verifying.  Secrets are never printed.",
  (const CliOptUse[]){ { O_DB, NULL }, { CLI_NOPT, NULL } },
  "CAMP_SECRET\twhen set, signs instead of the database's secret", "camp secret --db shop.db rotate", NULL, 0,
};
