/*
** cli/migrate.c -- `camp migrate --from DB --to DB`.
**
** Owns: the command line of moving a whole camp database between SQLite
** and PostgreSQL (either way, or between two of a kind) and its summary.
** Does not own: the copy and its checks (runtime/store_move.c).  Exit 0
** copied and verified, 1 refused or failed (nothing written), 2 usage.
*/
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/db.h"

/* A table copied, on a terminal: the copy of a big database takes a while. */
static void tableDone(void *ctx, const char *name, int64_t rows) {
  (void)ctx;
  fprintf(stderr, "  %-24s %lld rows\n", name, (long long)rows);
}

static int migrate(const CliArgs *a) {
  const char *from = a->opt[O_FROM], *to = a->opt[O_TO];
  if (a->npos) return campCliUsage(a->cmd, "unknown argument '%s' (give the databases as --from DB --to DB)", a->pos[0]);
  if (!from || !*from) return campCliUsage(a->cmd, "give --from DB: the database to copy (a SQLite file or a postgresql:// URL)");
  if (!to || !*to) return campCliUsage(a->cmd, "give --to DB: the new database (a new SQLite file or a postgresql:// URL)");
  MoveStats st = { 0 };
  if (isatty(STDERR_FILENO)) st.table = tableDone;
  char err[1024];
  if (campStoreMove(from, to, &st, err, sizeof err) < 0) {
    fprintf(stderr, "camp migrate: %s\n", err);
    return 1;
  }
  char *src = campDbUrlShown(from), *dst = campDbUrlShown(to);
  printf("copied %d tables, %lld rows from %s to %s in %.1f s; counts verified\n", st.tables, (long long)st.rows,
         src ? src : "the source", dst ? dst : "the target", st.seconds);
  if (st.repaired)
    printf("note: texts that were not UTF-8 (or held a NUL), which PostgreSQL refuses, copied with their bad bytes as '?': %lld\n",
           (long long)st.repaired);
  free(src);
  free(dst);
  return 0;
}

const CliSpec campCmdMigrate = {
  "migrate", "copy a whole camp database between SQLite and PostgreSQL, and verify it", migrate,
  "camp migrate --from DB --to DB",
  "Copy every campaign, version, record, participant, trace, event, list, suppression, website hit and\n"
  "setting -- the secret that signs tracking links and the clock included -- from one camp database to a\n"
  "new one: SQLite to PostgreSQL, PostgreSQL to SQLite, or between two of a kind.  A SQLite target must\n"
  "not exist; a PostgreSQL one must be a database without camp tables (createdb).  The copy is one\n"
  "transaction: each table's row count, id sum and max id are compared with the source's before it\n"
  "commits, and a copy that fails or is interrupted leaves the target as it was.  Runners are not\n"
  "copied: stop camp run and camp serve on the source first; a send that was in flight is taken over\n"
  "on the copy with its Message-ID.",
  (const CliOptUse[]){ { O_FROM, NULL }, { O_TO, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp migrate --from shop.db --to postgresql://camp@db.example.com/shop",
  "0\tcopied and verified\n1\trefused (not a camp database, a target that is not new, a connection that failed) or failed; nothing written\n2\ta usage error",
  0,
};
