/*
** bench/floor.c -- the floors for bench/run.sh, measured in the same run.
**
**   floor inserts N PATH   insert N trace rows into SQLite with one prepared
**                          statement in batched transactions, with the
**                          (state, due) index camp uses, times arriving in
**                          order.  Prints "N seconds rows/s".
**   floor writes N PATH    only the row writes bench/run.sh's campaign needs
**                          for N contacts, whoever executes it: per contact
**                          a participant and its email trace inserted; the
**                          send claimed (state and Message-ID, in its own
**                          transaction before the send, as crash safety
**                          demands) and its result recorded with the two
**                          children inserted; then 30% opened (action done,
**                          no-open branch canceled), 70% not (open branch
**                          canceled, SMS claimed and done); the participant
**                          completed.  No reads, no templates, no events,
**                          ids known in advance, batches of 500 in id order:
**                          the best case for every one of those writes
**                          (with camp's index of pending traces only).
**                          Prints "N seconds".
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 500

static sqlite3 *db;

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "floor: %s\n", sqlite3_errmsg(db));
    exit(1);
  }
  return st;
}

static void run(sqlite3_stmt *st) {
  if (sqlite3_step(st) != SQLITE_DONE) {
    fprintf(stderr, "floor: %s\n", sqlite3_errmsg(db));
    exit(1);
  }
  sqlite3_reset(st);
}

static void exec(const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    fprintf(stderr, "floor: %s\n", sqlite3_errmsg(db));
    exit(1);
  }
}

static void inserts(long n) {
  sqlite3_stmt *st = prepare("INSERT INTO t(participant, activity, parent, state, due, base) VALUES(?, ?, ?, 0, ?, ?)");
  double a = seconds();
  for (long i = 0; i < n; i++) {
    if (i % BATCH == 0) exec("BEGIN");
    sqlite3_bind_int64(st, 1, i / 3);
    sqlite3_bind_int64(st, 2, i % 3);
    sqlite3_bind_int64(st, 3, i);
    sqlite3_bind_int64(st, 4, 1767600000 + i);
    sqlite3_bind_int64(st, 5, 1767600000 + i);
    run(st);
    if (i % BATCH == BATCH - 1 || i == n - 1) exec("COMMIT");
  }
  double s = seconds() - a;
  printf("%ld %.3f %.0f\n", n, s, (double)n / s);
  sqlite3_finalize(st);
}

static sqlite3_stmt *insTrace, *claimSt, *setState, *complete;

static void trace(long participant, int activity, long parent, int state, long due) {
  sqlite3_bind_int64(insTrace, 1, participant);
  sqlite3_bind_int(insTrace, 2, activity);
  if (parent) sqlite3_bind_int64(insTrace, 3, parent); else sqlite3_bind_null(insTrace, 3);
  sqlite3_bind_int(insTrace, 4, state);
  sqlite3_bind_int64(insTrace, 5, due);
  sqlite3_bind_int64(insTrace, 6, 1767600000);
  run(insTrace);
}

static void claim(long id) {
  char mid[48];
  snprintf(mid, sizeof mid, "t%ld.0123abcd@camp", id);
  sqlite3_bind_text(claimSt, 1, mid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(claimSt, 2, id);
  run(claimSt);
}

static void state(long id, int s) {
  sqlite3_bind_int(setState, 1, s);
  sqlite3_bind_int64(setState, 2, id);
  run(setState);
}

static void completed(long participant) {
  sqlite3_bind_int64(complete, 1, participant);
  run(complete);
}

/* Contact j (1..n) is participant j with email trace j; its children are
** n + 2j - 1 (on open, waiting) and n + 2j (on no open, scheduled). */
static void writes(long n) {
  exec("CREATE TABLE p(id INTEGER PRIMARY KEY, record INTEGER, state INTEGER)");
  sqlite3_stmt *insPart = prepare("INSERT INTO p(record, state) VALUES(?, 0)");
  insTrace = prepare("INSERT INTO t(participant, activity, parent, state, due, base) VALUES(?, ?, ?, ?, ?, ?)");
  claimSt = prepare("UPDATE t SET state = 6, message_id = ? WHERE id = ?");
  setState = prepare("UPDATE t SET state = ? WHERE id = ?");
  complete = prepare("UPDATE p SET state = 2 WHERE id = ?");
  double a = seconds();
  for (long i = 1; i <= n; i += BATCH) {              /* enrolment */
    long e = i + BATCH > n + 1 ? n + 1 : i + BATCH;
    exec("BEGIN");
    for (long j = i; j < e; j++) {
      sqlite3_bind_int64(insPart, 1, j);
      run(insPart);
      trace(j, 1, 0, 0, 1767600000);
    }
    exec("COMMIT");
  }
  for (long i = 1; i <= n; i += BATCH) {              /* the email: claim, send, result */
    long e = i + BATCH > n + 1 ? n + 1 : i + BATCH;
    exec("BEGIN");
    for (long j = i; j < e; j++) claim(j);
    exec("COMMIT");
    exec("BEGIN");
    for (long j = i; j < e; j++) {
      state(j, 2);
      trace(j, 2, j, 1, 1767600000 + 259200);
      trace(j, 3, j, 0, 1767600000 + 259200);
    }
    exec("COMMIT");
  }
  for (long i = 1; i <= n; i += BATCH) {              /* three days later */
    long e = i + BATCH > n + 1 ? n + 1 : i + BATCH;
    exec("BEGIN");
    for (long j = i; j < e; j++) {
      long open = n + 2 * j - 1, sms = n + 2 * j;
      if (j % 10 < 3) { state(open, 2); state(sms, 4); completed(j); }
      else { state(open, 4); claim(sms); }
    }
    exec("COMMIT");
    exec("BEGIN");
    for (long j = i; j < e; j++) if (j % 10 >= 3) { state(n + 2 * j, 2); completed(j); }
    exec("COMMIT");
  }
  printf("%ld %.3f\n", n, seconds() - a);
  sqlite3_finalize(insPart);
  sqlite3_finalize(insTrace);
  sqlite3_finalize(claimSt);
  sqlite3_finalize(setState);
  sqlite3_finalize(complete);
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "inserts") && strcmp(argv[1], "writes"))) {
    fprintf(stderr, "usage: floor inserts|writes N PATH\n");
    return 2;
  }
  long n = atol(argv[2]);
  const char *path = argv[3];
  remove(path);
  if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
       "CREATE TABLE t(id INTEGER PRIMARY KEY, participant INTEGER, activity INTEGER, parent INTEGER,"
       " state INTEGER, due INTEGER, base INTEGER, message_id TEXT);");
  if (!strcmp(argv[1], "inserts")) {
    exec("CREATE INDEX t_due ON t(state, due)");
    inserts(n);
  } else {
    exec("CREATE INDEX t_due ON t(state, due) WHERE state <= 1 OR state = 6");   /* camp's: pending traces only */
    writes(n);
  }
  sqlite3_close(db);
  remove(path);
  return 0;
}
