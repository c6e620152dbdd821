/*
** bench/sync_import.c -- campSyncImport driven by a throwaway driver whose
** rows are made here, not fetched: the import side measured alone, and
** the import's semantics checked without a provider.
**
**   sync_import gen DB SYNC N MEMBERS   one campaign "bench1" sent to
**       MEMBERS addresses (m1@bench.example ...), then opens and clicks
**       up to N activity rows in all, each with its own key (Mailchimp's
**       deltas); prints "ROWS seconds".
**   sync_import floor DB N              the write floor: N rows into
**       camp_sync_seen in one transaction through one prepared statement
**       (the least any import of N keyed rows writes); "ROWS seconds".
**   sync_import script DB SYNC FILE [dry] [totals]   the rows of FILE,
**       tab-separated lines:
**         status EMAIL unsubscribed|cleaned|complained AT
**         campaign ID TITLE SUBJECT SENT_AT
**         activity ID EMAIL sent|open|click|bounce|abuse|unsub AT URL|- KEY|- COUNT
**       (AT: seconds since the epoch); totals: the driver's counts are
**       totals (Dotdigital's way).  Every run reads every row again (the
**       cursors are ignored), as a re-run after a crash would.  $DIE_AFTER=K:
**       _exit(9) at the K-th activity row (a kill in the middle).
**
** The plan lines go to stdout.  Built by bench/sync_import.sh and
** tests/suite_sync_import.sh against build/libcamp.a; not part of camp.
*/
#include <glib.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runtime/sync_int.h"

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* sync.c's, for when this is linked without it: the plan line on stdout. */
void campSyncPlanLine(SyncCtx *x, char side, char mark, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%c %c ", side, mark ? mark : ' ');
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  if (mark) x->changes = 1;
}

/* -- the driver ---------------------------------------------------------------------- */

static long genN, genMembers;        /* gen */
static char **lines;                 /* script: its lines, split in place */
static size_t nline;
static long dieAfter = -1, rowsSeen;

static int fields(char *line, char **f, int max) {
  int n = 0;
  for (char *s = line; n < max;) {
    f[n++] = s;
    char *t = strchr(s, '\t');
    if (!t) break;
    *t = 0;
    s = t + 1;
  }
  return n;
}

static int statuses(EspConn *c, const char *cursor, EspStatusFn fn, void *ctx, char *next, size_t nextSize, char *err, size_t errSize) {
  for (size_t i = 0; i < nline; i++) {
    char *f[8], buf[1024];
    snprintf(buf, sizeof buf, "%s", lines[i]);
    if (fields(buf, f, 8) < 4 || strcmp(f[0], "status")) continue;
    EspStatusChange s = { f[1], !strcmp(f[2], "cleaned") ? ESP_CLEANED : !strcmp(f[2], "complained") ? ESP_COMPLAINED : ESP_UNSUBSCRIBED,
                          atoll(f[3]), NULL };
    if (fn(ctx, &s) < 0) return -1;
  }
  snprintf(next, nextSize, "end");
  return 0;
}

static int campaigns(EspConn *c, const char *cursor, EspCampaignFn fn, void *ctx, char *next, size_t nextSize, char *err, size_t errSize) {
  if (genN) {
    EspCampaign k = { "bench1", "Bench", "Bench subject", 1774000000 };
    return fn(ctx, &k);
  }
  for (size_t i = 0; i < nline; i++) {
    char *f[8], buf[1024];
    snprintf(buf, sizeof buf, "%s", lines[i]);
    if (fields(buf, f, 8) < 5 || strcmp(f[0], "campaign")) continue;
    EspCampaign k = { f[1], f[2], f[3], atoll(f[4]) };
    if (fn(ctx, &k) < 0) return -1;
  }
  snprintf(next, nextSize, "end");
  return 0;
}

static EspActKind kindOf(const char *s) {
  static const char *const k[] = { "", "sent", "open", "click", "bounce", "abuse", "unsub" };
  for (int i = 1; i < 7; i++) if (!strcmp(s, k[i])) return (EspActKind)i;
  return 0;
}

static int generated(const char *id, EspActivityFn fn, void *ctx) {
  char email[64], key[96];
  for (long i = 0; i < genN; i++) {
    long who = i % genMembers, round = i / genMembers;
    EspActKind kind = round == 0 ? ESP_ACT_SENT : round % 2 ? ESP_ACT_OPEN : ESP_ACT_CLICK;
    if (++rowsSeen == dieAfter) _exit(9);
    snprintf(email, sizeof email, "m%ld@bench.example", who);
    snprintf(key, sizeof key, "%s:%ld:%ld", id, who, round);
    EspActivity a = { email, kind, 1774000000 + round * 60, kind == ESP_ACT_CLICK ? "https://shop.example/sale" : NULL, 0, key, 1 };
    if (fn(ctx, &a) < 0) return -1;
  }
  return 0;
}

static int activity(EspConn *c, const char *id, const char *cursor, EspActivityFn fn, void *ctx, char *next, size_t nextSize,
                    char *err, size_t errSize) {
  snprintf(next, nextSize, "end");
  if (genN) return generated(id, fn, ctx);
  for (size_t i = 0; i < nline; i++) {
    char *f[9], buf[1024];
    snprintf(buf, sizeof buf, "%s", lines[i]);
    if (fields(buf, f, 9) < 8 || strcmp(f[0], "activity") || strcmp(f[1], id)) continue;
    if (++rowsSeen == dieAfter) _exit(9);
    EspActivity a = { f[2], kindOf(f[3]), atoll(f[4]), strcmp(f[5], "-") ? f[5] : NULL, 1, strcmp(f[6], "-") ? f[6] : NULL, atol(f[7]) };
    if (fn(ctx, &a) < 0) return -1;
  }
  return 0;
}

static EspDriver driver = { "mailchimp", 0, "*|%s|*", NULL, NULL, NULL, NULL, statuses, campaigns, activity, NULL, NULL, NULL };

/* -- the harness ------------------------------------------------------------------------- */

static int import(const char *db, const char *sync, int dry, double *took, SyncStats *st) {
  char err[512];
  Engine *e = campEngineOpen(db, 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "sync_import: %s\n", err); return 1; }
  SyncOptions o = { .dryRun = dry, .out = stdout };
  SyncCtx x = { .e = e, .o = &o, .st = st, .name = sync, .d = &driver };
  uint32_t si;
  x.p = campStoreSyncProgram(e, sync, &si, err, sizeof err);
  int rc = 1;
  if (x.p) {
    x.y = &x.p->syncs[si];
    const ProgList *l = &x.p->lists[x.y->list];
    x.list = x.p->str[l->name];
    x.model = x.p->str[x.p->models[l->model].name];
    x.email = l->contact;
    x.c.esp = x.y->esp;
    driver.name = campStoreSyncEspName(x.y->esp);
    x.c.sync = sync;
    x.c.remote = x.p->str[x.y->remote];
    x.c.dryRun = dry;
    x.gone = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    double t0 = seconds();
    rc = campSyncImport(&x, err, sizeof err) < 0;
    *took = seconds() - t0;
    if (rc) fprintf(stderr, "sync_import: %s\n", err);
    g_hash_table_destroy(x.gone);
    campProgramFree(x.p);
  } else fprintf(stderr, "sync_import: %s\n", err);
  campEngineClose(e);
  if (!rc && dry) printf("changes: %d\n", x.changes);
  return rc;
}

static int floorWrite(const char *db, long n) {
  sqlite3 *h;
  if (sqlite3_open(db, &h) != SQLITE_OK) return 1;
  sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; BEGIN", NULL, NULL, NULL);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(h, "INSERT INTO camp_sync_seen(sync, key) VALUES('floor', ?)", -1, &st, NULL) != SQLITE_OK) return 1;
  double t0 = seconds();
  char key[64];
  for (long i = 0; i < n; i++) {
    snprintf(key, sizeof key, "bench1:%ld:%ld", i % 100000, i / 100000);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
  printf("%ld %.3f\n", n, seconds() - t0);
  sqlite3_close(h);
  return 0;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0, k;
  char *s = malloc(cap);
  while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 2) { char *t = realloc(s, cap *= 2); if (!t) { free(s); s = NULL; } else s = t; }
  }
  fclose(f);
  if (s) s[n] = 0;
  return s;
}

int main(int argc, char **argv) {
  if (getenv("DIE_AFTER")) dieAfter = atol(getenv("DIE_AFTER"));
  SyncStats st = { 0 };
  double took = 0;
  if (argc == 6 && !strcmp(argv[1], "gen")) {
    genN = atol(argv[4]);
    genMembers = atol(argv[5]);
    if (import(argv[2], argv[3], 0, &took, &st)) return 1;
    printf("%ld %.3f\n", st.activity, took);
    return 0;
  }
  if (argc == 4 && !strcmp(argv[1], "floor")) return floorWrite(argv[2], atol(argv[3]));
  if (argc >= 5 && !strcmp(argv[1], "script")) {
    char *text = slurp(argv[4]);
    if (!text) { fprintf(stderr, "sync_import: cannot read %s\n", argv[4]); return 1; }
    for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n")) {
      char **v = realloc(lines, (nline + 1) * sizeof *v);
      if (!v) return 1;
      lines = v;
      lines[nline++] = s;
    }
    int dry = 0;
    for (int i = 5; i < argc; i++) { dry |= !strcmp(argv[i], "dry"); driver.totals |= !strcmp(argv[i], "totals"); }
    int rc = import(argv[2], argv[3], dry, &took, &st);
    printf("unsubscribed %ld suppressed %ld mailings %ld activity %ld\n", st.unsubscribed, st.suppressed, st.mailings, st.activity);
    free(lines);
    free(text);
    return rc;
  }
  fprintf(stderr, "usage: sync_import gen DB SYNC N MEMBERS | floor DB N | script DB SYNC FILE [dry] [totals]\n");
  return 2;
}
