/*
** bench/floor.c -- the floor for bench/run.sh: insert N trace rows into
** SQLite with one prepared statement in batched transactions, with the
** (state, due) index camp uses, times arriving in order.  Prints rows/s.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  const char *path = argc > 2 ? argv[2] : "floor.db";
  sqlite3 *db;
  sqlite3_stmt *st;
  remove(path);
  if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE t(id INTEGER PRIMARY KEY, participant INTEGER, activity INTEGER, parent INTEGER,"
               " state INTEGER, due INTEGER, base INTEGER, message_id TEXT);"
               "CREATE INDEX t_due ON t(state, due);", NULL, NULL, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO t(participant, activity, parent, state, due, base) VALUES(?, ?, ?, 0, ?, ?)", -1, &st, NULL);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    if (i % 500 == 0) sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_bind_int64(st, 1, i / 3);
    sqlite3_bind_int64(st, 2, i % 3);
    sqlite3_bind_int64(st, 3, i);
    sqlite3_bind_int64(st, 4, 1767600000 + i);
    sqlite3_bind_int64(st, 5, 1767600000 + i);
    sqlite3_step(st);
    sqlite3_reset(st);
    if (i % 500 == 499 || i == n - 1) sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%ld %.3f %.0f\n", n, s, (double)n / s);
  sqlite3_finalize(st);
  sqlite3_close(db);
  remove(path);
  return 0;
}
