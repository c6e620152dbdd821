/*
** runtime/store_sync_import.c -- what a sync's import (runtime/
** sync_import.c) asks of the database.
**
** Owns: the per-import index of a model's records by address (a TEMP
** table: one indexed lookup per imported row, however large the model),
** the lists connected to one audience / address book, camp_sync_seen (the
** keys of Mailchimp activity already imported), finding and marking the
** mailing of an ESP campaign (camp_campaign.transport, esp_id), the
** participant and sent trace of a member the ESP sent it to, and events
** set to a provider's totals.  Does not own: what is imported when
** (sync_import.c), cursors (store_sync_state.c), list overlays
** (store_list.c), suppressions (store_suppress.c), events counted one by
** one (store_event.c), deploying the mailing's image (store_deploy.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

/* A step result no campDbStep gives: out of memory while keeping the rows. */
#define ROWS_NOMEM (-2)

/* -- records by address ------------------------------------------------------------ */

int campStoreSyncAddrIndex(Engine *e, const char *model, const char *field, char *err, size_t errSize) {
  /* a temporary table: its name comes before the database's (no model is named camp_*) */
  if (campDbExec(e->conn, campDbKind(e->conn) == DB_POSTGRES
                 ? "CREATE TEMP TABLE IF NOT EXISTS camp_sync_addr(model TEXT NOT NULL, addr TEXT NOT NULL, "
                   "record BIGINT NOT NULL, PRIMARY KEY(model, addr, record))"
                 : "CREATE TEMP TABLE IF NOT EXISTS camp_sync_addr(model TEXT NOT NULL, addr TEXT NOT NULL, "
                   "record INTEGER NOT NULL, PRIMARY KEY(model, addr, record)) WITHOUT ROWID", err, errSize) < 0)
    return -1;
  if (campStoreDbRun(e, "DELETE FROM camp_sync_addr WHERE model = ?", "t", model) < 0) return campStoreConnError(e, err, errSize);
  Buf q = { 0 };
  campBufPuts(&q, "INSERT INTO camp_sync_addr(model, addr, record) SELECT CAST(?1 AS TEXT), lower(trim(CAST(");
  campStoreIdentPut(&q, field);
  campBufPuts(&q, " AS TEXT), CAST(?2 AS TEXT))), id FROM ");
  campStoreIdentPut(&q, model);
  campBufPuts(&q, " WHERE CAST(");
  campStoreIdentPut(&q, field);
  campBufPuts(&q, " AS TEXT) LIKE '%@%' ON CONFLICT(model, addr, record) DO NOTHING");
  if (q.oom) { campBufFree(&q); snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campDbPrepare(e->conn, q.p, err, errSize);
  campBufFree(&q);
  if (!st) return -1;
  campDbBindText(st, 1, model, -1);
  campDbBindText(st, 2, " \t\n\r", -1);               /* the blanks trimmed */
  return campDbFinish(st, campDbStep(st), err, errSize);
}

int campStoreSyncAddrEach(Engine *e, const char *model, const char *addr, StoreIdFn fn, void *ctx) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT record FROM camp_sync_addr WHERE model = ? AND addr = ? ORDER BY record",
                                   ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindText(st, 1, model, -1);
  campDbBindText(st, 2, addr, -1);
  /* the ids first (an address has few records): fn may run statements that reuse this one's cache slot */
  int64_t ids[16];
  int rc, n = 0, stop = 0;
  for (;;) {
    while (n < 16 && (rc = campDbStep(st)) == DB_ROW) ids[n++] = campDbColumnInt64(st, 0);
    int more = n == 16;
    if (!more && rc != DB_DONE) { campDbReset(st); return -1; }
    int64_t last = n ? ids[n - 1] : 0;
    if (more) campDbReset(st);
    for (int i = 0; i < n && !stop; i++) stop = fn(ctx, ids[i]);
    if (stop || !more) { if (!more) campDbReset(st); return stop; }
    /* more than 16 records share the address: the next ones after the last */
    st = campStoreDbStmt(e, "SELECT record FROM camp_sync_addr WHERE model = ? AND addr = ? AND record > ? ORDER BY record",
                       ign_, sizeof ign_);
    if (!st) return -1;
    campDbBindText(st, 1, model, -1);
    campDbBindText(st, 2, addr, -1);
    campDbBindInt64(st, 3, last);
    n = 0;
  }
}

/* -- connected lists ------------------------------------------------------------------ */

/* The first column of every row of sql with texts a (and b, unless NULL)
** bound, as malloc'd texts; -1 with the message in err. */
static int texts(Engine *e, const char *sql, const char *a, const char *b, char ***out, size_t *n, char *err, size_t errSize) {
  *out = NULL;
  *n = 0;
  DbStmt *st = campDbPrepare(e->conn, sql, err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, a, -1);
  if (b) campDbBindText(st, 2, b, -1);
  size_t cap = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      char **v = realloc(*out, (cap = cap ? cap * 2 : 8) * sizeof *v);
      if (!v) { rc = ROWS_NOMEM; break; }
      *out = v;
    }
    if (!((*out)[*n] = strdup(campDbColumnText(st, 0)))) { rc = ROWS_NOMEM; break; }
    (*n)++;
  }
  if (rc == ROWS_NOMEM) { campDbFinalize(st); snprintf(err, errSize, "out of memory"); return -1; }
  return campDbFinish(st, rc, err, errSize);
}

int campStoreSyncConnected(Engine *e, const char *esp, const char *remote, char ***lists, size_t *n, char *err, size_t errSize) {
  return texts(e, "SELECT DISTINCT list FROM camp_sync WHERE esp = ? AND remote = ? ORDER BY list", esp, remote, lists, n, err, errSize);
}

/* -- activity seen ------------------------------------------------------------------------ */

int campStoreSyncSeen(Engine *e, const char *sync, const char *key, int mark) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, mark ? "INSERT INTO camp_sync_seen(sync, key) VALUES(?, ?) ON CONFLICT(sync, key) DO NOTHING"
                                           : "SELECT 1 FROM camp_sync_seen WHERE sync = ? AND key = ?", ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindText(st, 1, sync, -1);
  campDbBindText(st, 2, key, -1);
  int rc = campDbStep(st), seen = -1;
  if (mark && rc == DB_DONE) seen = campDbChanges(e->conn) == 0;
  else if (!mark && (rc == DB_ROW || rc == DB_DONE)) seen = rc == DB_ROW;
  campDbReset(st);
  return seen;
}

/* -- the mailing of an ESP campaign ------------------------------------------------------------ */

int64_t campStoreSyncMailingFind(Engine *e, const char *transport, const char *espId, int64_t *sentAt, char **name,
                                 char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT id, last_sync, name FROM camp_campaign WHERE transport = ? AND esp_id = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, transport, -1);
  campDbBindText(st, 2, espId, -1);
  int rc = campDbStep(st);
  int64_t id = rc == DB_ROW ? campDbColumnInt64(st, 0) : rc == DB_DONE ? 0 : -1;
  if (sentAt) *sentAt = rc == DB_ROW && campDbColumnType(st, 1) != DB_NULL ? campDbColumnInt64(st, 1) : INT64_MIN;
  if (name) *name = rc == DB_ROW ? strdup(campDbColumnText(st, 2)) : NULL;
  if (name && rc == DB_ROW && !*name) { snprintf(err, errSize, "out of memory"); id = -1; }
  if (id < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return id;
}

int campStoreSyncNameTaken(Engine *e, const char *name) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT 1 FROM camp_campaign WHERE name = ?", ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  int rc = campDbStep(st);
  campDbReset(st);
  return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int campStoreSyncMailingMark(Engine *e, int64_t campaign, const char *transport, const char *espId, int64_t sentAt,
                             char *err, size_t errSize) {
  if (campStoreDbRun(e, "UPDATE camp_campaign SET transport = ?, esp_id = ?, state = 'running', last_sync = ? WHERE id = ?", "ttii",
                   transport, espId, sentAt, campaign) < 0)
    return campStoreConnError(e, err, errSize);
  return 0;
}

int64_t campStoreSyncMailingActivity(Engine *e, int64_t campaign, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT id FROM camp_activity WHERE campaign = ? AND kind = 1 ORDER BY idx, id LIMIT 1",
                                   err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  int rc = campDbStep(st);
  int64_t id = rc == DB_ROW ? campDbColumnInt64(st, 0) : 0;
  if (rc == DB_DONE) snprintf(err, errSize, "campaign %lld has no email activity", (long long)campaign);
  else if (rc != DB_ROW) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return rc == DB_ROW ? id : -1;
}

/* -- a member's message ---------------------------------------------------------------------------- */

/* The first row's first column of cached statement sql with ids bound
** (0 none, -1 error). */
static int64_t oneId(Engine *e, const char *sql, int64_t a, int64_t b) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, sql, ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindInt64(st, 1, a);
  campDbBindInt64(st, 2, b);
  int rc = campDbStep(st);
  int64_t id = rc == DB_ROW ? campDbColumnInt64(st, 0) : rc == DB_DONE ? 0 : -1;
  campDbReset(st);
  return id;
}

int campStoreSyncMessage(Engine *e, const SyncMessage *m, int create, int64_t *trace, int *fresh) {
  *trace = 0;
  *fresh = 0;
  int64_t pa = oneId(e, "SELECT id FROM camp_participant WHERE campaign = ? AND record_id = ? AND test = 0", m->campaign, m->record);
  if (pa < 0) return -1;
  if (!pa && !create) return 0;
  if (!pa) {
    pa = campStoreDbInsertId(e, "INSERT INTO camp_participant(campaign, record_id, state, test, unique_value, enrolled_at) "
                             "VALUES(?, ?, 'completed', 0, ?, ?) RETURNING id", "iiti", m->campaign, m->record, m->addr, m->at);
    if (pa < 0) return -1;
    *fresh |= SYNC_NEW_PARTICIPANT;
  }
  int64_t t = *fresh ? 0 : oneId(e, "SELECT id FROM camp_trace WHERE participant = ? AND activity = ? ORDER BY id LIMIT 1", pa, m->activity);
  if (t < 0) return -1;
  if (!t && !create) return 0;
  if (!t) {
    t = campStoreDbInsertId(e, "INSERT INTO camp_trace(participant, activity, state, due, attempts, done_at) VALUES(?, ?, " Q_PROCESSED
                            ", ?, 1, ?) RETURNING id", "iiii", pa, m->activity, m->at, m->at);
    if (t < 0) return -1;
    *fresh |= SYNC_NEW_TRACE;
  } else if (create) {
    /* a message camp handed to the provider (via): sent now, by the provider's word */
    if (campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_PROCESSED ", done_at = coalesce(done_at, ?), owner = NULL "
                        "WHERE id = ? AND state <> " Q_PROCESSED, "ii", m->at, t) < 0) return -1;
    if (oneId(e, "SELECT id FROM camp_trace WHERE id = ?1 AND message_id IS NULL AND ?2 <> 0", t, 1) > 0) *fresh |= SYNC_NEW_TRACE;   /* it needs its Message-ID */
  }
  *trace = t;
  return 0;
}

int campStoreSyncMessageId(Engine *e, int64_t trace, const char *messageId) {
  return campStoreDbRun(e, "UPDATE camp_trace SET message_id = ? WHERE id = ?", "ti", messageId, trace);
}

int campStoreSyncEventSet(Engine *e, int64_t trace, const char *kind, const char *url, int64_t at, long total) {
  if (total <= 0)
    return campStoreDbRun(e, "DELETE FROM camp_event WHERE trace = ? AND kind = ? AND url IS NOT DISTINCT FROM ?", "itt", trace, kind, url);
  if (campStoreDbRun(e, "UPDATE camp_event SET repeats = ?4 WHERE id = (SELECT id FROM camp_event WHERE trace = ?1 AND kind = ?2 "
                      "AND url IS NOT DISTINCT FROM ?3 ORDER BY id LIMIT 1)", "itti", trace, kind, url, (int64_t)total - 1) < 0) return -1;
  if (campDbChanges(e->conn) > 0) return 0;
  return campStoreDbRun(e, "INSERT INTO camp_event(trace, kind, at, url, repeats) VALUES(?, ?, ?, ?, ?)", "ititi", trace, kind, at, url,
                      (int64_t)total - 1);
}

long campStoreSyncEventCount(Engine *e, int64_t trace, const char *kind, const char *url) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT coalesce(sum(1 + repeats), 0) FROM camp_event WHERE trace = ? AND kind = ? AND url IS NOT DISTINCT FROM ?",
                                   ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  campDbBindText(st, 2, kind, -1);
  if (url) campDbBindText(st, 3, url, -1); else campDbBindNull(st, 3);
  long n = campDbStep(st) == DB_ROW ? (long)campDbColumnInt64(st, 0) : -1;
  campDbReset(st);
  return n;
}

int campStoreSyncTracked(Engine *e, const char *sync, char ***ids, size_t *n, char *err, size_t errSize) {
  /* the campaigns whose activity is read: those with an activity cursor (sync_import.c sets one when it meets a campaign) */
  return texts(e, "SELECT substr(key, 10) FROM camp_sync_cursor WHERE sync = ? AND key LIKE 'activity:%' ORDER BY key", sync, NULL,
               ids, n, err, errSize);
}
