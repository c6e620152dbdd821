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

/* A step result no campDbStep gives: out of memory while keeping the rows. */
#define ROWS_NOMEM (-2)

/* The text of the first column of the row sql finds for sync (and key
** when not NULL) into out; 1 found (a NULL column: found, ""), 0 none, -1. */
static int oneText(Engine *e, const char *sql, const char *sync, const char *key, char *out, size_t size) {
  char err[160];
  DbStmt *st = campStoreDbStmt(e, sql, err, sizeof err);
  if (!st) return -1;
  campDbBindText(st, 1, sync, -1);
  if (key) campDbBindText(st, 2, key, -1);
  int rc = campDbStep(st);
  if (size) out[0] = 0;
  if (rc == DB_ROW && size) {
    const char *t = campDbColumnText(st, 0);
    snprintf(out, size, "%s", t ? t : "");
  }
  campDbReset(st);
  return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int campStoreSyncCursor(Engine *e, const char *sync, const char *key, char *out, size_t size) {
  return oneText(e, "SELECT value FROM camp_sync_cursor WHERE sync = ? AND key = ?", sync, key, out, size);
}

int campStoreSyncCursorSet(Engine *e, const char *sync, const char *key, const char *value) {
  if (!value) return campStoreDbRun(e, "DELETE FROM camp_sync_cursor WHERE sync = ? AND key = ?", "tt", sync, key);
  return campStoreDbRun(e, "INSERT INTO camp_sync_cursor(sync, key, value) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(sync, key) DO UPDATE SET value = ?3", "ttt", sync, key, value);
}

int campStoreSyncRemote(Engine *e, const char *sync, char *out, size_t size) {
  int rc = oneText(e, "SELECT remote_id FROM camp_sync WHERE name = ?", sync, NULL, out, size);
  return rc == 1 && size && !out[0] ? 0 : rc;
}

int campStoreSyncRemoteSet(Engine *e, const char *sync, const char *remoteId) {
  return campStoreDbRun(e, "UPDATE camp_sync SET remote_id = ? WHERE name = ?", "tt", remoteId && *remoteId ? remoteId : NULL, sync);
}

int campStoreSyncRan(Engine *e, const char *sync, int64_t at, const char *error) {
  return campStoreDbRun(e, "UPDATE camp_sync SET last_run = ?, last_error = ? WHERE name = ?", "itt", at, error, sync);
}

int campStoreSyncDue(Engine *e, int64_t now, char ***names, size_t *n, char *err, size_t errSize) {
  *names = NULL;
  *n = 0;
  DbStmt *st = campDbPrepare(e->conn, "SELECT name FROM camp_sync WHERE every > 0 AND (last_run IS NULL OR last_run + every <= ?) "
                                         "ORDER BY name", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, now);
  size_t cap = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 8;
      char **v = realloc(*names, cap * sizeof *v);
      if (!v) { rc = ROWS_NOMEM; break; }
      *names = v;
    }
    char *s = strdup(campDbColumnText(st, 0));
    if (!s) { rc = ROWS_NOMEM; break; }
    (*names)[(*n)++] = s;
  }
  if (rc == ROWS_NOMEM) {
    campDbFinalize(st);
    snprintf(err, errSize, "out of memory");
    return -1;
  }
  return campDbFinish(st, rc, err, errSize);
}

/* A time column as ISO 8601 UTC, or "never". */
static const char *whenText(DbStmt *st, int col, char buf[CAMP_CLOCK_ISO_SIZE]) {
  if (campDbColumnType(st, col) == DB_NULL) return "never";
  campClockFormat(campDbColumnInt64(st, col), buf);
  return buf;
}

int campStoreSyncList(Engine *e, FILE *out, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT name, list, esp, remote, segment, remote_id, every, last_run, last_error "
                                         "FROM camp_sync ORDER BY name", err, errSize);
  if (!st) return -1;
  int rc, any = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    const char *t[9];
    for (int i = 0; i < 9; i++) t[i] = campStoreDbTextOrNull(st, i);
    char when[CAMP_CLOCK_ISO_SIZE], every[CAMP_CLOCK_DURATION_SIZE];
    campClockFormatDuration(campDbColumnInt64(st, 6), every);
    fprintf(out, "%s: list %s <-> %s %s \"%s\"", t[0], t[1], t[2], !strcmp(t[2], "mailchimp") ? "audience" : "address book", t[3]);
    if (t[4]) fprintf(out, ", segment \"%s\"", t[4]);
    if (t[5]) fprintf(out, " (id %s)", t[5]);
    if (campDbColumnInt64(st, 6)) fprintf(out, ", every %s", every);
    fprintf(out, "\n  last run: %s", whenText(st, 7, when));
    if (t[8]) fprintf(out, ", failed: %s", t[8]);
    else if (t[7]) fprintf(out, ", ok");
    fputc('\n', out);
    any = 1;
  }
  if (!any && rc == DB_DONE) fprintf(out, "no syncs are deployed (declare one: docs/SYNC.md)\n");
  return campDbFinish(st, rc, err, errSize);
}
