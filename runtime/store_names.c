/*
** runtime/store_names.c -- the names a database holds, for shell completion.
**
** Owns: listing the campaign (and mailing) names of a database, or one
** campaign's activity names, through a read-only connection that never
** migrates, creates or waits long.  Does not own: what the names mean
** (store_deploy.c stores them) or how they are printed (cli/complete.c).
*/
#include <sqlite3.h>
#include <stdio.h>
#include "runtime/store.h"

/* A read-only connection to the camp database at path, or NULL when there
** is none (missing file, not SQLite, not a camp database). */
static sqlite3 *openReadOnly(const char *path) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return NULL;
  }
  sqlite3_busy_timeout(db, 200);      /* a completion must not hang on a busy runner */
  sqlite3_stmt *st = NULL;
  int version = 0;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version < 1) { sqlite3_close(db); return NULL; }
  return db;
}

int campStoreNames(const char *path, const char *campaign, StoreNameFn fn, void *ctx) {
  sqlite3 *db = openReadOnly(path);
  if (!db) return -1;
  const char *sql = campaign
    ? "SELECT a.name FROM camp_activity a JOIN camp_campaign c ON c.id = a.campaign WHERE c.name = ? AND a.idx >= 0 ORDER BY a.idx"
    : "SELECT name FROM camp_campaign ORDER BY name";
  sqlite3_stmt *st = NULL;
  int n = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      (!campaign || sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC) == SQLITE_OK)) {
    int rc;
    n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char *name = (const char *)sqlite3_column_text(st, 0);
      if (name) { fn(ctx, name); n++; }
    }
    if (rc != SQLITE_DONE) n = -1;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}
