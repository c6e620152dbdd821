/*
** runtime/store_trace.c -- the store's verbs on participants and traces, on
** SQLite.
**
** Owns: the SQL of taking due work (from the partial (state, due) index,
** skipping sends a live runner owns), claims and their settlement, new
** traces, completion, leaving, enrolment, window expiry, the next due
** time, link lists, the outbox, and the transactions around them.  The
** contracts are stated in runtime/store.h.  Does not own: when any of it
** happens (runtime/sched.c), runners' liveness (store_runner.c).
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/store_engine.h"

/* -- transactions ------------------------------------------------------------- */

int campStoreBegin(Engine *e, int wait, char *err, size_t errSize) {
  e->noWait = !wait;
  int rc = sqlite3_exec(e->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  e->noWait = 0;
  if (rc == SQLITE_BUSY && !wait) return 1;
  if (rc != SQLITE_OK) { if (err) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  e->gen++;
  e->inBatch = 1;
  return 0;
}

int campStoreCommit(Engine *e, char *err, size_t errSize) {
  e->inBatch = 0;
  if (sqlite3_exec(e->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) return 0;
  if (err) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  return -1;
}

void campStoreRollback(Engine *e) {
  e->inBatch = 0;
  sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
}

int campStoreMark(Engine *e) { return campStoreStep(e, "SAVEPOINT mark", NULL, 0); }

void campStoreMarkEnd(Engine *e, int keep) {
  if (!keep) campStoreStep(e, "ROLLBACK TO mark", NULL, 0);
  campStoreStep(e, "RELEASE mark", NULL, 0);
}

Engine *campStoreRecorder(Engine *e) {
  const char *path = sqlite3_db_filename(e->db, "main");
  if (!e->recorder && path && *path) {
    char ign[512];
    e->recorder = campEngineOpen(path, 0, INT64_MIN, ign, sizeof ign);
  }
  return e->recorder;
}

const char *campStoreError(Engine *e) { return sqlite3_errmsg(e->db); }

/* -- campaigns ------------------------------------------------------------------- */

int campStoreRunningCampaigns(Engine *e, int64_t **ids, size_t *n, char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e, "SELECT id FROM camp_campaign WHERE state = 'running' ORDER BY id", err, errSize);
  if (!st) return -1;
  size_t cap = 0;
  int rc;
  *ids = NULL;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      int64_t *grown = realloc(*ids, (cap = cap ? cap * 2 : 64) * sizeof **ids);
      if (!grown) { rc = SQLITE_NOMEM; break; }
      *ids = grown;
    }
    (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE) return 0;
  snprintf(err, errSize, "database: %s", sqlite3_errstr(rc));
  free(*ids);
  *ids = NULL;
  return -1;
}

int64_t campStoreCampaignId(Engine *e, const char *name, char *err, size_t errSize) {
  sqlite3_stmt *st = campStoreStmt(e, "SELECT id FROM camp_campaign WHERE name = ?", err, errSize);
  if (!st) return 0;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return id;
}

int campStoreSynced(Engine *e, int64_t campaign, char *err, size_t errSize) {
  sqlite3_stmt *q = campStoreStmt(e, "SELECT last_sync IS NOT NULL FROM camp_campaign WHERE id = ?", err, errSize);
  if (!q) return -1;
  sqlite3_bind_int64(q, 1, campaign);
  int done = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
  sqlite3_reset(q);
  return done;
}

int campStoreMarkSynced(Engine *e, int64_t campaign, int64_t now, char *err, size_t errSize) {
  if (campStoreRun(e, "UPDATE camp_campaign SET last_sync = ? WHERE id = ?", "ii", now, campaign) == 0) return 0;
  snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  return -1;
}

int64_t campStoreNextMailing(Engine *e) {
  char ign_[160];
  sqlite3_stmt *st = campStoreStmt(e, "SELECT min(coalesce(at, -9223372036854775808)) FROM camp_campaign "
                                      "WHERE kind = 'mailing' AND state = 'running' AND last_sync IS NULL", ign_, sizeof ign_);
  int64_t next = INT64_MAX;
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) next = sqlite3_column_int64(st, 0);
  if (st) sqlite3_reset(st);
  return next;
}

/* -- participants ---------------------------------------------------------------- */

/* The model's columns ("m."-prefixed) and table, quoted, built to their size. */
static int modelSql(const Loaded *l, Buf *cols, Buf *table) {
  const ProgModel *m = &l->p->models[l->p->camps[l->camp].model];
  for (uint32_t f = 0; f < m->nfield; f++) { campBufPuts(cols, f ? ", m." : "m."); campStoreIdentPut(cols, l->p->str[m->fields[f].name]); }
  campStoreIdentPut(table, l->p->str[m->name]);
  return cols->oom || table->oom ? -1 : 0;
}

/* Walk the rows of the statement sql[0] COLUMNS sql[1] TABLE sql[2] (the
** model's fields from column col on), binding campaign as ?1. */
static int eachRow(Engine *e, const Loaded *l, const char *const sql[3], int col, StoreRowFn fn, void *ctx,
                   char *err, size_t errSize) {
  Buf cols = { 0 }, table = { 0 }, q = { 0 };
  if (modelSql(l, &cols, &table) == 0) {
    campBufPuts(&q, sql[0]); campBufPuts(&q, cols.p); campBufPuts(&q, sql[1]); campBufPuts(&q, table.p); campBufPuts(&q, sql[2]);
  }
  campBufFree(&cols);
  campBufFree(&table);
  if (!q.p || q.oom) { campBufFree(&q); snprintf(err, errSize, "out of memory"); return -1; }
  sqlite3_stmt *st = campStorePrepare(e, q.p, err, errSize);
  campBufFree(&q);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, l->campaign);
  int rc, stop = 0;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int gone = col > 0 && sqlite3_column_int(st, 1);
    if (!gone) campStoreRowToFields(e, l, st, col);
    VmRecord r = campStoreRecord(e, l);
    stop = fn(ctx, sqlite3_column_int64(st, 0), gone ? NULL : &r);
  }
  if (!stop && rc != SQLITE_DONE) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  sqlite3_finalize(st);
  return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}

int campStoreEachParticipant(Engine *e, const Loaded *l, StoreRowFn fn, void *ctx, char *err, size_t errSize) {
  static const char *const sql[3] = { "SELECT pa.id, m.id IS NULL, ", " FROM camp_participant pa LEFT JOIN ",
                                      " m ON m.id = pa.record_id WHERE pa.campaign = ?1 AND pa.state = 'running' AND pa.test = 0" };
  return eachRow(e, l, sql, 2, fn, ctx, err, errSize);
}

int campStoreEachNewcomer(Engine *e, const Loaded *l, StoreRowFn fn, void *ctx, char *err, size_t errSize) {
  static const char *const sql[3] = {
    "SELECT ", " FROM ", " m WHERE NOT EXISTS (SELECT 1 FROM camp_participant pa WHERE pa.campaign = ?1 AND pa.record_id = m.id "
    "AND pa.test = 0) ORDER BY m.id" };
  return eachRow(e, l, sql, 0, fn, ctx, err, errSize);
}

int campStoreLeave(Engine *e, int64_t participant, int gone, const char *why, int64_t now) {
  if (campStoreRun(e, "UPDATE camp_participant SET state = ? WHERE id = ?", "ti", gone ? "unlinked" : "left", participant) < 0) return -1;
  return campStoreRun(e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = ?, done_at = ? WHERE participant = ? "
                "AND +state IN (" Q_SCHEDULED ", " Q_WAITING ")", "tii", why, now, participant);
}

int campStoreUniqueTaken(Engine *e, int64_t campaign, const char *value) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "SELECT 1 FROM camp_participant WHERE campaign = ? AND unique_value = ? AND test = 0 LIMIT 1", ign_, sizeof ign_);
  if (!s) return 1;
  sqlite3_bind_int64(s, 1, campaign);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  int r = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return r;
}

int campStoreEnrol(Engine *e, int64_t campaign, int64_t record, const char *uniq, int test, int64_t now,
                   int64_t *participant) {
  if (campStoreRun(e, "INSERT INTO camp_participant(campaign, record_id, state, test, unique_value, enrolled_at) "
             "VALUES(?, ?, 'running', ?, ?, ?)", "iiiti", campaign, record, (int64_t)test, uniq, now) < 0) return -1;
  *participant = sqlite3_last_insert_rowid(e->db);
  return 0;
}

int64_t campStoreTestParticipant(Engine *e, int64_t campaign, int64_t record, char *err, size_t errSize) {
  sqlite3_stmt *st = campStoreStmt(e, "SELECT id FROM camp_participant WHERE campaign = ? AND record_id = ? AND test = 1", err, errSize);
  if (!st) return 0;
  sqlite3_bind_int64(st, 1, campaign);
  sqlite3_bind_int64(st, 2, record);
  int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return id;
}

/* One statement, which looks for pending traces only while the participant
** still runs. */
int campStoreComplete(Engine *e, int64_t participant) {
  if (campStoreRun(e, "UPDATE camp_participant SET state = 'completed' WHERE id = ?1 AND state = 'running' "
             "AND NOT EXISTS (SELECT 1 FROM camp_trace WHERE participant = ?1 AND " Q_PENDING_PLUS("") ")", "i", participant) < 0)
    return -1;
  return sqlite3_changes(e->db) > 0;
}

int campStoreCompleteCampaign(Engine *e, int64_t campaign) {
  return campStoreRun(e, "UPDATE camp_participant SET state = 'completed' WHERE campaign = ?1 AND state = 'running' "
                "AND NOT EXISTS (SELECT 1 FROM camp_trace t WHERE t.participant = camp_participant.id AND " Q_PENDING_PLUS("t.") ")",
             "i", campaign);
}

/* -- traces ---------------------------------------------------------------------- */

/* Interrupted sends first, then scheduled work, each read in (state, due)
** index order: one state per query keeps the index's order, so a batch
** costs its own rows, not a sort of everything due.  Q_PENDING is the
** partial index's own WHERE, written out so SQLite uses it (it does not
** infer it from "state = 0"). */
#define DUE_SQL(S) \
  "SELECT t.id, t.participant, t.parent, t.due, t.state, t.attempts, coalesce(t.message_id, ''), pa.record_id, pa.campaign, a.idx, pa.test, " \
  "coalesce(t.due0, t.due) " \
  "FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant JOIN camp_activity a ON a.id = t.activity " \
  "JOIN camp_campaign c ON c.id = pa.campaign " \
  "WHERE t.state = " S " AND " Q_PENDING_AS("t.") " AND t.due <= ? AND pa.state = 'running' AND (c.state = 'running' OR pa.test = 1) " \
  "AND pa.test = ? AND (? = 0 OR pa.id = ?) AND (?6 = 0 OR pa.campaign = ?6) " \
  "AND (t.owner IS NULL OR NOT EXISTS (SELECT 1 FROM camp_runner r WHERE r.id = t.owner)) ORDER BY t.state, t.due LIMIT ?5"

int campStoreTakeDue(Engine *e, int64_t now, int test, int64_t participant, int64_t campaign, DueTrace *out, int max,
                     char *err, size_t errSize) {
  static const char *const dueSql[] = { DUE_SQL(Q_SENDING), DUE_SQL(Q_SCHEDULED) };
  int n = 0;
  for (int k = 0; k < 2 && n < max; k++) {
    sqlite3_stmt *st = campStoreStmt(e, dueSql[k], err, errSize);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, test);
    sqlite3_bind_int64(st, 3, participant);
    sqlite3_bind_int64(st, 4, participant);
    sqlite3_bind_int(st, 5, max - n);
    sqlite3_bind_int64(st, 6, campaign);
    int rc;
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      DueTrace *w = &out[n++];
      memset(w, 0, sizeof *w);
      w->trace = sqlite3_column_int64(st, 0);
      w->participant = sqlite3_column_int64(st, 1);
      w->parent = sqlite3_column_int64(st, 2);
      w->due = sqlite3_column_int64(st, 3);
      w->state = sqlite3_column_int(st, 4);
      w->attempts = sqlite3_column_int(st, 5);
      snprintf(w->messageId, sizeof w->messageId, "%s", (const char *)sqlite3_column_text(st, 6));
      w->record = sqlite3_column_int64(st, 7);
      w->campaign = sqlite3_column_int64(st, 8);
      w->actIdx = sqlite3_column_int(st, 9);
      w->test = sqlite3_column_int(st, 10);
      w->due0 = sqlite3_column_int64(st, 11);
    }
    sqlite3_reset(st);
  }
  return n;
}
#undef DUE_SQL

int campStoreSpawn(Engine *e, int64_t participant, int64_t activity, int64_t parent, int state, int64_t due, int hasDue,
                   int64_t base) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "INSERT INTO camp_trace(participant, activity, parent, state, due, base) VALUES(?, ?, ?, ?, ?, ?)", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int64(s, 1, participant);
  sqlite3_bind_int64(s, 2, activity);
  if (parent) sqlite3_bind_int64(s, 3, parent); else sqlite3_bind_null(s, 3);
  sqlite3_bind_int(s, 4, state);
  if (hasDue) sqlite3_bind_int64(s, 5, due); else sqlite3_bind_null(s, 5);
  if (state == TRACE_SCHEDULED) sqlite3_bind_int64(s, 6, base); else sqlite3_bind_null(s, 6);
  int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
  sqlite3_reset(s);
  return rc;
}

int campStoreHold(Engine *e, int64_t trace, int64_t due, const char *note) {
  return campStoreRun(e, "UPDATE camp_trace SET due0 = coalesce(due0, due), due = ?, message = ? WHERE id = ?", "iti", due, note, trace);
}

int campStoreSetPath(Engine *e, int64_t trace, int path) {
  return campStoreRun(e, "UPDATE camp_trace SET path = ? WHERE id = ?", "ii", (int64_t)path, trace);
}

int campStoreSetTrace(Engine *e, int64_t trace, int state, const char *msg, int64_t doneAt) {
  return campStoreRun(e, "UPDATE camp_trace SET state = ?, message = ?, done_at = ? WHERE id = ?", "itii", (int64_t)state, msg, doneAt, trace);
}

int campStoreClaimSend(Engine *e, int64_t trace, const char *messageId, int64_t linkset) {
  if (linkset) return campStoreRun(e, "UPDATE camp_trace SET state = " Q_SENDING ", message_id = ?, linkset = ?, owner = ? WHERE id = ?",
                          "tiii", messageId, linkset, e->runner, trace);
  return campStoreRun(e, "UPDATE camp_trace SET state = " Q_SENDING ", message_id = ?, linkset = NULL, owner = ? WHERE id = ?",
             "tii", messageId, e->runner, trace);
}

int campStoreClaimHooks(Engine *e, int64_t trace) {
  return campStoreRun(e, "UPDATE camp_trace SET state = " Q_SENDING ", owner = ? WHERE id = ?", "ii", e->runner, trace);
}

int campStoreSettle(Engine *e, int64_t trace, int64_t owner, int state, const char *msg, int64_t doneAt) {
  /* a sent message keeps the note the timing rules left on it (sched_timing.c: a record's unknown zone, a hold) */
  if (campStoreRun(e, "UPDATE camp_trace SET state = ?, message = coalesce(?2, CASE WHEN message LIKE 'time zone %' OR message LIKE 'held %' "
             "THEN message END), done_at = ?, owner = NULL WHERE id = ? AND state = " Q_SENDING
             " AND owner = ?", "itiii", (int64_t)state, msg, doneAt, trace, owner) < 0) return -1;
  return sqlite3_changes(e->db) > 0;
}

int campStoreRetry(Engine *e, int64_t trace, int64_t owner, int64_t due, const char *msg) {
  return campStoreRun(e, "UPDATE camp_trace SET attempts = attempts + 1, due = ?, message = ?, owner = NULL "
                "WHERE id = ? AND state = " Q_SENDING " AND owner = ?", "itii", due, msg, trace, owner);
}

int campStoreRelease(Engine *e, int64_t trace, int64_t owner) {
  return campStoreRun(e, "UPDATE camp_trace SET owner = NULL WHERE id = ? AND owner = ?", "ii", trace, owner);
}

int campStoreTraceActivity(Engine *e, int64_t trace) {
  char ign_[160];
  sqlite3_stmt *q = campStoreStmt(e, "SELECT a.idx FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.id = ?", ign_, sizeof ign_);
  if (!q) return -1;
  sqlite3_bind_int64(q, 1, trace);
  int idx = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
  sqlite3_reset(q);
  return idx;
}

long campStoreExpireWindows(Engine *e, int64_t now, int64_t **participants, char *err, size_t errSize) {
  sqlite3_stmt *st = campStoreStmt(e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = " Q_WINDOW_PASSED ", "
                                      "done_at = ? WHERE state = " Q_WAITING " AND " Q_PENDING_AS("") " AND due <= ? RETURNING participant",
                                   err, errSize);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int64(st, 2, now);
  int64_t *parts = NULL;
  size_t n = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      int64_t *p = realloc(parts, (cap = cap ? cap * 2 : 256) * sizeof *p);
      if (!p) { rc = SQLITE_NOMEM; break; }
      parts = p;
    }
    parts[n++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errstr(rc)); free(parts); return -1; }
  *participants = parts;
  return (long)n;
}

int64_t campStoreNextDue(Engine *e, int test) {
  char ign_[160];
  int64_t next = INT64_MAX;
  sqlite3_stmt *st = campStoreStmt(e, test
    ? "SELECT min(t.due) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant WHERE " Q_PENDING_AS("t.") " AND pa.test = 1"
    : "SELECT min(due) FROM (SELECT min(due) AS due FROM camp_trace WHERE state = " Q_SCHEDULED " AND " Q_PENDING_AS("") " "
      "UNION ALL SELECT min(due) FROM camp_trace WHERE state = " Q_WAITING " AND " Q_PENDING_AS("") " "
      "UNION ALL SELECT min(due) FROM camp_trace WHERE state = " Q_SENDING " AND " Q_PENDING_AS("") " "
      "AND (owner IS NULL OR NOT EXISTS (SELECT 1 FROM camp_runner r WHERE r.id = owner)))", ign_, sizeof ign_);
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) next = sqlite3_column_int64(st, 0);
  if (st) sqlite3_reset(st);
  return next;
}

int campStoreDueNow(Engine *e, int64_t participant, int64_t activity, int64_t now, char *err, size_t errSize) {
  if (campStoreRun(e, "UPDATE camp_trace SET due = ? WHERE participant = ? AND activity = ? AND state = " Q_SCHEDULED, "iii",
          now, participant, activity) < 0) {
    snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
    return -1;
  }
  return sqlite3_changes(e->db) > 0;
}

const char *campStoreStateName(int state) {
  static const char *const names[] = { "scheduled", "waiting", "processed", "rejected", "canceled", "error", "sending" };
  return state >= 0 && state < (int)(sizeof names / sizeof names[0]) ? names[state] : "?";
}

/* -- messages -------------------------------------------------------------------- */

/* The messages of an activity mostly share their list, so the lists met
** in this batch's transaction are remembered (a batch that rolls back
** takes its memory with it: gen moves on). */
int64_t campStoreLinkset(Engine *e, const char *targets, size_t len) {
  uint32_t h = campHashFnv1a(targets, len);
  for (int i = 0; i < LINKSETS_SEEN; i++) {
    if (e->linksets[i].gen == e->gen && e->linksets[i].links && e->linksets[i].hash == h && e->linksets[i].len == len &&
        !memcmp(e->linksets[i].links, targets, len))
      return e->linksets[i].id;
  }
  char ign_[160];
  int64_t id = 0;
  sqlite3_stmt *s = campStoreStmt(e, "SELECT id FROM camp_linkset WHERE links = ?", ign_, sizeof ign_);
  if (!s) return 0;
  sqlite3_bind_text(s, 1, targets, (int)len, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) id = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (!id) {
    if (!(s = campStoreStmt(e, "INSERT INTO camp_linkset(links) VALUES(?)", ign_, sizeof ign_))) return 0;
    sqlite3_bind_text(s, 1, targets, (int)len, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE) id = sqlite3_last_insert_rowid(e->db);
    sqlite3_reset(s);
    if (!id) return 0;
  }
  char *copy = malloc(len + 1);
  if (copy) {
    int k = e->nextLinkset++ % LINKSETS_SEEN;
    free(e->linksets[k].links);
    memcpy(copy, targets, len);
    e->linksets[k].gen = e->gen;
    e->linksets[k].hash = h;
    e->linksets[k].len = len;
    e->linksets[k].links = copy;
    e->linksets[k].id = id;
  }
  return id;
}

int campStoreOutbox(Engine *e, int64_t trace, char ***urls, char ***bodies, int *n) {
  char ign_[160];
  *urls = *bodies = NULL;
  *n = 0;
  sqlite3_stmt *q = campStoreStmt(e, "SELECT url, body FROM camp_outbox WHERE trace = ? ORDER BY idx", ign_, sizeof ign_);
  if (!q) return -1;
  sqlite3_bind_int64(q, 1, trace);
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    char **u = realloc(*urls, (size_t)(*n + 1) * sizeof *u), **bd = u ? realloc(*bodies, (size_t)(*n + 1) * sizeof *bd) : NULL;
    if (u) *urls = u;
    if (bd) *bodies = bd;
    if (!u || !bd) { rc = SQLITE_NOMEM; break; }
    (*urls)[*n] = strdup((const char *)sqlite3_column_text(q, 0));
    (*bodies)[(*n)++] = strdup((const char *)sqlite3_column_text(q, 1));
  }
  sqlite3_reset(q);
  return rc == SQLITE_DONE ? 0 : -1;
}

int campStoreOutboxDrop(Engine *e, int64_t trace) { return campStoreRun(e, "DELETE FROM camp_outbox WHERE trace = ?", "i", trace); }

/* -- runners ----------------------------------------------------------------------- */

int campStoreRunnerAlive(Engine *e, int64_t owner) {
  return campStoreRun(e, "UPDATE camp_runner SET heartbeat = ? WHERE id = ?", "ii", (int64_t)time(NULL), owner);
}

int64_t campStoreRunner(Engine *e) { return e->runner; }
