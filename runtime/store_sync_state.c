/*
** runtime/store_sync_state.c -- what the sync engine remembers of each
** deployed sync between runs: the provider's id of its segment / address
** book, its resumable cursors, when it last ran and how that ended.
**
** Owns: camp_sync.remote_id / last_run / last_error and camp_sync_cursor,
** finding the syncs due in service mode, listing deployed syncs (camp
** sync --list).  Does not own: deploying syncs (store_sync.c), imported
** activity keys (camp_sync_seen, store_sync_import.c), what a run does
** (runtime/sync*.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

/* The text of the first column of the row sql finds for sync (and key
** when not NULL) into out; 1 found (a NULL column: found, ""), 0 none, -1. */
static int oneText(Engine *e, const char *sql, const char *sync, const char *key, char *out, size_t size) {
  char err[160];
  sqlite3_stmt *st = campStoreStmt(e, sql, err, sizeof err);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, sync, -1, SQLITE_STATIC);
  if (key) sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (size) out[0] = 0;
  if (rc == SQLITE_ROW && size) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", t ? t : "");
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int campStoreSyncCursor(Engine *e, const char *sync, const char *key, char *out, size_t size) {
  return oneText(e, "SELECT value FROM camp_sync_cursor WHERE sync = ? AND key = ?", sync, key, out, size);
}

int campStoreSyncCursorSet(Engine *e, const char *sync, const char *key, const char *value) {
  if (!value) return campStoreRun(e, "DELETE FROM camp_sync_cursor WHERE sync = ? AND key = ?", "tt", sync, key);
  return campStoreRun(e, "INSERT INTO camp_sync_cursor(sync, key, value) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(sync, key) DO UPDATE SET value = ?3", "ttt", sync, key, value);
}

int campStoreSyncRemote(Engine *e, const char *sync, char *out, size_t size) {
  int rc = oneText(e, "SELECT remote_id FROM camp_sync WHERE name = ?", sync, NULL, out, size);
  return rc == 1 && size && !out[0] ? 0 : rc;
}

int campStoreSyncRemoteSet(Engine *e, const char *sync, const char *remoteId) {
  return campStoreRun(e, "UPDATE camp_sync SET remote_id = ? WHERE name = ?", "tt", remoteId && *remoteId ? remoteId : NULL, sync);
}

int campStoreSyncRan(Engine *e, const char *sync, int64_t at, const char *error) {
  return campStoreRun(e, "UPDATE camp_sync SET last_run = ?, last_error = ? WHERE name = ?", "itt", at, error, sync);
}

int campStoreSyncDue(Engine *e, int64_t now, char ***names, size_t *n, char *err, size_t errSize) {
  *names = NULL;
  *n = 0;
  sqlite3_stmt *st = campStorePrepare(e, "SELECT name FROM camp_sync WHERE every > 0 AND (last_run IS NULL OR last_run + every <= ?) "
                                         "ORDER BY name", err, errSize);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, now);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 8;
      char **v = realloc(*names, cap * sizeof *v);
      if (!v) { rc = SQLITE_NOMEM; break; }
      *names = v;
    }
    char *s = strdup((const char *)sqlite3_column_text(st, 0));
    if (!s) { rc = SQLITE_NOMEM; break; }
    (*names)[(*n)++] = s;
  }
  if (rc == SQLITE_NOMEM) {
    sqlite3_finalize(st);
    snprintf(err, errSize, "out of memory");
    return -1;
  }
  return campStoreFinish(e, st, rc, err, errSize);
}

/* A time column as ISO 8601 UTC, or "never". */
static const char *whenText(sqlite3_stmt *st, int col, char buf[CAMP_CLOCK_ISO_SIZE]) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return "never";
  campClockFormat(sqlite3_column_int64(st, col), buf);
  return buf;
}

int campStoreSyncList(Engine *e, FILE *out, char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e, "SELECT name, list, esp, remote, segment, remote_id, every, last_run, last_error "
                                         "FROM camp_sync ORDER BY name", err, errSize);
  if (!st) return -1;
  int rc, any = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *t[9];
    for (int i = 0; i < 9; i++) t[i] = (const char *)sqlite3_column_text(st, i);
    char when[CAMP_CLOCK_ISO_SIZE], every[CAMP_CLOCK_DURATION_SIZE];
    campClockFormatDuration(sqlite3_column_int64(st, 6), every);
    fprintf(out, "%s: list %s <-> %s %s \"%s\"", t[0], t[1], t[2], !strcmp(t[2], "mailchimp") ? "audience" : "address book", t[3]);
    if (t[4]) fprintf(out, ", segment \"%s\"", t[4]);
    if (t[5]) fprintf(out, " (id %s)", t[5]);
    if (sqlite3_column_int64(st, 6)) fprintf(out, ", every %s", every);
    fprintf(out, "\n  last run: %s", whenText(st, 7, when));
    if (t[8]) fprintf(out, ", failed: %s", t[8]);
    else if (t[7]) fprintf(out, ", ok");
    fputc('\n', out);
    any = 1;
  }
  if (!any && rc == SQLITE_DONE) fprintf(out, "no syncs are deployed (declare one: docs/SYNC.md)\n");
  return campStoreFinish(e, st, rc, err, errSize);
}
