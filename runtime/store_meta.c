/*
** runtime/store_meta.c -- the database's timing settings in camp_meta
** (runtime/store.h, "time helper"): its zone (`timezone`), send windows
** (`window.email`, `window.sms`) and caps (`cap.email`, `cap.sms`), as
** text, checked by their writers (cli/send.c: camp config, cli/db.c:
** camp init --timezone).
*/
#include <stdio.h>
#include "runtime/store_engine.h"

int campStoreMetaText(Engine *e, const char *key, char *out, size_t size) {
  char ign[160];
  sqlite3_stmt *st = campStoreStmt(e, "SELECT value FROM camp_meta WHERE key = ? AND typeof(value) = 'text'", ign, sizeof ign);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
  if (found) snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_reset(st);
  return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int campStoreMetaSetText(Engine *e, const char *key, const char *value, char *err, size_t errSize) {
  int rc = value
    ? campStoreRun(e, "INSERT INTO camp_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", "tt", key, value)
    : campStoreRun(e, "DELETE FROM camp_meta WHERE key = ?", "t", key);
  if (rc < 0) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  return rc;
}
