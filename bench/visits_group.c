/*
** bench/visits_group.c -- the timed parts of bench/visits.sh, on a camp
** database whose camp_hit rows are not grouped yet.
**
**   visits_group group PATH   campStoreVisitsGroup in one transaction, as
**                             camp visits runs it.  Prints "HITS seconds
**                             VISITS".
**   visits_group scan PATH    the read floor: every ungrouped hit read in
**                             key and time order through camp_hit_ungrouped,
**                             as the grouping walks them.  Prints "ROWS
**                             seconds".
**   visits_group mark PATH    the write floor: one UPDATE setting visit on
**                             every hit (each leaves camp_hit_ungrouped and
**                             enters camp_hit_visit), no reads.  Prints
**                             "ROWS seconds".
**
** Built by bench/visits.sh against build/libcamp.a; not part of camp.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/engine.h"
#include "runtime/store.h"

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int group(const char *path) {
  char err[512];
  Engine *e = campEngineOpen(path, 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "visits_group: %s\n", err); return 1; }
  double t0 = seconds();
  long n = -1;
  if (campStoreBegin(e, 1, err, sizeof err) == 0 && (n = campStoreVisitsGroup(e, err, sizeof err)) >= 0 &&
      campStoreCommit(e, err, sizeof err) < 0)
    n = -1;
  double t1 = seconds();
  campEngineClose(e);
  if (n < 0) { fprintf(stderr, "visits_group: %s\n", err); return 1; }
  sqlite3 *db;
  sqlite3_stmt *st;
  long visits = -1;
  if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, "SELECT count(*) FROM camp_visit", -1, &st, NULL) == SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW) visits = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  printf("%ld %.3f %ld\n", n, t1 - t0, visits);
  return 0;
}

static int floorRun(const char *path, int scan) {
  sqlite3 *db;
  sqlite3_stmt *st;
  if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;", NULL, NULL, NULL);
  double t0 = seconds();
  long n = 0;
  if (scan) {
    if (sqlite3_prepare_v2(db, "SELECT id, site, at, visitor, model, record_id, name, referrer, code, source, medium, ip, ua_class"
                               " FROM camp_hit INDEXED BY camp_hit_ungrouped WHERE visit IS NULL ORDER BY site, visitor, record_id, at",
                           -1, &st, NULL) != SQLITE_OK) return 1;
    while (sqlite3_step(st) == SQLITE_ROW) n++;
    sqlite3_finalize(st);
  } else {
    if (sqlite3_exec(db, "BEGIN; UPDATE camp_hit SET visit = id WHERE visit IS NULL; COMMIT;", NULL, NULL, NULL) != SQLITE_OK) {
      fprintf(stderr, "visits_group: %s\n", sqlite3_errmsg(db));
      return 1;
    }
    n = (long)sqlite3_total_changes(db);
  }
  double t1 = seconds();
  sqlite3_close(db);
  printf("%ld %.3f\n", n, t1 - t0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: visits_group group|scan|mark PATH\n"); return 2; }
  if (!strcmp(argv[1], "group")) return group(argv[2]);
  if (!strcmp(argv[1], "scan")) return floorRun(argv[2], 1);
  if (!strcmp(argv[1], "mark")) return floorRun(argv[2], 0);
  fprintf(stderr, "usage: visits_group group|scan|mark PATH\n");
  return 2;
}
