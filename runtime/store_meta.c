/*
** runtime/store_meta.c -- the database's timing settings in camp_meta
** (runtime/store.h, "time helper"): its zone (`timezone`), send windows
** (`window.email`, `window.sms`) and caps (`cap.email`, `cap.sms`), as
** text, checked by their writers (cli/send.c: camp config, cli/db.c:
** camp init --timezone).
*/
#include <stdio.h>
#include <string.h>
#include "runtime/store_engine.h"

/* The batch's cached read of key, or NULL. */
static const char *metaCached(Engine *e, const char *key, int *found) {
  if (!e->inBatch || !campDbInTransaction(e->conn)) return NULL;
  for (int i = 0; i < (int)(sizeof e->meta / sizeof e->meta[0]); i++)
    if (e->meta[i].gen == e->gen && e->meta[i].key[0] && !strcmp(e->meta[i].key, key)) {
      *found = e->meta[i].found;
      return e->meta[i].value;
    }
  return NULL;
}

static void metaKeep(Engine *e, const char *key, int found, const char *value) {
  if (!e->inBatch || strlen(key) >= sizeof e->meta[0].key || strlen(value) >= sizeof e->meta[0].value) return;
  int i = e->nextMeta++ % (int)(sizeof e->meta / sizeof e->meta[0]);
  e->meta[i].gen = e->gen;
  e->meta[i].found = found;
  snprintf(e->meta[i].key, sizeof e->meta[i].key, "%s", key);
  snprintf(e->meta[i].value, sizeof e->meta[i].value, "%s", value);
}

int campStoreMetaText(Engine *e, const char *key, char *out, size_t size) {
  int found;
  const char *v = metaCached(e, key, &found);
  if (v) {
    if (found) snprintf(out, size, "%s", v);
    return found;
  }
  char ign[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT value FROM camp_meta WHERE key = ?", ign, sizeof ign);
  if (!st) return -1;
  campDbBindText(st, 1, key, -1);
  int rc = campDbStep(st);
  found = rc == DB_ROW && campDbColumnType(st, 0) == DB_TEXT;   /* a text value (PostgreSQL's are all text) */
  if (rc == DB_ROW && !found) rc = DB_DONE;
  if (found) snprintf(out, size, "%s", campDbColumnText(st, 0));
  if (found || rc == DB_DONE) metaKeep(e, key, found, found ? campDbColumnText(st, 0) : "");
  campDbReset(st);
  return found ? 1 : rc == DB_DONE ? 0 : -1;
}

int campStoreMetaSetText(Engine *e, const char *key, const char *value, char *err, size_t errSize) {
  for (int i = 0; i < (int)(sizeof e->meta / sizeof e->meta[0]); i++) e->meta[i].key[0] = 0;
  int rc = value
    ? campStoreDbRun(e, "INSERT INTO camp_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", "tt", key, value)
    : campStoreDbRun(e, "DELETE FROM camp_meta WHERE key = ?", "t", key);
  if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return rc;
}
