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

/* A step result no campDbStep gives: out of memory while keeping the rows. */
#define ROWS_NOMEM (-2)

/* -- transactions ------------------------------------------------------------- */

/* SQLite: BEGIN IMMEDIATE takes the one write lock, waiting for it in the
** busy handler unless told not to.  PostgreSQL: READ COMMITTED; workers
** share the store through row locks (a claim locks its traces and their
** participants: campStoreTakeDue), so beginning never waits. */
int campStoreBegin(Engine *e, int wait, char *err, size_t errSize) {
  int pg = campDbKind(e->conn) == DB_POSTGRES;
  e->noWait = !wait;
  int rc = campDbExec(e->conn, pg ? "BEGIN" : "BEGIN IMMEDIATE", NULL, 0);
  e->noWait = 0;
  if (rc < 0 && !wait && !pg && sqlite3_errcode(e->db) == SQLITE_BUSY) return 1;
  if (rc < 0) { if (err) campStoreConnError(e, err, errSize); return -1; }
  e->gen++;
  e->inBatch = 1;
  return 0;
}

int campStoreCommit(Engine *e, char *err, size_t errSize) {
  e->inBatch = 0;
  if (campDbExec(e->conn, "COMMIT", NULL, 0) == 0) return 0;
  if (err) campStoreConnError(e, err, errSize);
  return -1;
}

void campStoreRollback(Engine *e) {
  e->inBatch = 0;
  campDbExec(e->conn, "ROLLBACK", NULL, 0);
}

int campStoreRetryable(Engine *e) { return campDbKind(e->conn) == DB_POSTGRES && campDbRetryable(e->conn); }

int campStoreMark(Engine *e) { return campStoreDbRun(e, "SAVEPOINT mark", ""); }

void campStoreMarkEnd(Engine *e, int keep) {
  if (!keep) campStoreDbRun(e, "ROLLBACK TO mark", "");
  campStoreDbRun(e, "RELEASE mark", "");
}

Engine *campStoreRecorder(Engine *e) {
  if (!e->recorder && e->target) {
    char ign[512];
    e->recorder = campEngineOpen(e->target, 0, INT64_MIN, ign, sizeof ign);
  }
  return e->recorder;
}

const char *campStoreError(Engine *e) { return e->db ? sqlite3_errmsg(e->db) : campDbError(e->conn); }

/* -- campaigns ------------------------------------------------------------------- */

int campStoreRunningCampaigns(Engine *e, int64_t **ids, size_t *n, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT id FROM camp_campaign WHERE state = 'running' ORDER BY id", err, errSize);
  if (!st) return -1;
  size_t cap = 0;
  int rc;
  *ids = NULL;
  *n = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      int64_t *grown = realloc(*ids, (cap = cap ? cap * 2 : 64) * sizeof **ids);
      if (!grown) { rc = ROWS_NOMEM; break; }
      *ids = grown;
    }
    (*ids)[(*n)++] = campDbColumnInt64(st, 0);
  }
  campDbFinalize(st);
  if (rc == DB_DONE) return 0;
  snprintf(err, errSize, "database: %s", rc == ROWS_NOMEM ? "out of memory" : campDbError(e->conn));
  free(*ids);
  *ids = NULL;
  return -1;
}

int64_t campStoreCampaignId(Engine *e, const char *name, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT id FROM camp_campaign WHERE name = ?", err, errSize);
  if (!st) return 0;
  campDbBindText(st, 1, name, -1);
  int64_t id = campDbStep(st) == DB_ROW ? campDbColumnInt64(st, 0) : 0;
  campDbReset(st);
  return id;
}

int campStoreSynced(Engine *e, int64_t campaign, char *err, size_t errSize) {
  DbStmt *q = campStoreDbStmt(e, "SELECT last_sync IS NOT NULL FROM camp_campaign WHERE id = ?", err, errSize);
  if (!q) return -1;
  campDbBindInt64(q, 1, campaign);
  int done = campDbStep(q) == DB_ROW && (int)campDbColumnInt64(q, 0);
  campDbReset(q);
  return done;
}

int campStoreMarkSynced(Engine *e, int64_t campaign, int64_t now, char *err, size_t errSize) {
  if (campStoreDbRun(e, "UPDATE camp_campaign SET last_sync = ? WHERE id = ?", "ii", now, campaign) == 0) return 0;
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}

int64_t campStoreNextMailing(Engine *e) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT min(coalesce(at, -9223372036854775808)) FROM camp_campaign "
                                      "WHERE kind = 'mailing' AND state = 'running' AND last_sync IS NULL", ign_, sizeof ign_);
  int64_t next = INT64_MAX;
  if (st && campDbStep(st) == DB_ROW && campDbColumnType(st, 0) != DB_NULL) next = campDbColumnInt64(st, 0);
  if (st) campDbReset(st);
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
  DbStmt *st = campDbPrepare(e->conn, q.p, err, errSize);
  campBufFree(&q);
  if (!st) return -1;
  campDbBindInt64(st, 1, l->campaign);
  int rc, stop = 0;
  while (!stop && (rc = campDbStep(st)) == DB_ROW) {
    int gone = col > 0 && (int)campDbColumnInt64(st, 1);
    if (!gone) campStoreDbRowToModel(e, l->p, l->p->camps[l->camp].model, st, col);
    VmRecord r = campStoreRecord(e, l);
    stop = fn(ctx, campDbColumnInt64(st, 0), gone ? NULL : &r);
  }
  if (!stop && rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  return stop ? stop : rc == DB_DONE ? 0 : -1;
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
  if (campStoreDbRun(e, "UPDATE camp_participant SET state = ? WHERE id = ?", "ti", gone ? "unlinked" : "left", participant) < 0) return -1;
  return campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = ?, done_at = ? WHERE participant = ? "
                "AND +state IN (" Q_SCHEDULED ", " Q_WAITING ")", "tii", why, now, participant);
}

int campStoreLockCampaign(Engine *e, int64_t campaign) {
  if (campDbKind(e->conn) != DB_POSTGRES) return 0;
  return campStoreDbRun(e, "SELECT pg_advisory_xact_lock(" STORE_LOCK_CAMPAIGN ", CAST(? AS INTEGER))", "i", campaign);
}

int campStoreUniqueTaken(Engine *e, int64_t campaign, const char *value) {
  char ign_[160];
  DbStmt *s = campStoreDbStmt(e, "SELECT 1 FROM camp_participant WHERE campaign = ? AND unique_value = ? AND test = 0 LIMIT 1", ign_, sizeof ign_);
  if (!s) return 1;
  campDbBindInt64(s, 1, campaign);
  campDbBindText(s, 2, value, -1);
  int r = campDbStep(s) == DB_ROW;
  campDbReset(s);
  return r;
}

int campStoreEnrol(Engine *e, int64_t campaign, int64_t record, const char *uniq, int test, int64_t now,
                   int64_t *participant) {
  *participant = campStoreDbInsertId(e, "INSERT INTO camp_participant(campaign, record_id, state, test, unique_value, enrolled_at) "
                                     "VALUES(?, ?, 'running', ?, ?, ?) RETURNING id", "iiiti", campaign, record, (int64_t)test, uniq, now);
  return *participant < 0 ? -1 : 0;
}

int64_t campStoreTestParticipant(Engine *e, int64_t campaign, int64_t record, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT id FROM camp_participant WHERE campaign = ? AND record_id = ? AND test = 1", err, errSize);
  if (!st) return 0;
  campDbBindInt64(st, 1, campaign);
  campDbBindInt64(st, 2, record);
  int64_t id = campDbStep(st) == DB_ROW ? campDbColumnInt64(st, 0) : 0;
  campDbReset(st);
  return id;
}

/* One statement, which looks for pending traces only while the participant
** still runs. */
int campStoreComplete(Engine *e, int64_t participant) {
  if (campStoreDbRun(e, "UPDATE camp_participant SET state = 'completed' WHERE id = ?1 AND state = 'running' "
             "AND NOT EXISTS (SELECT 1 FROM camp_trace WHERE participant = ?1 AND " Q_PENDING_PLUS("") ")", "i", participant) < 0)
    return -1;
  return campDbChanges(e->conn) > 0;
}

int campStoreCompleteCampaign(Engine *e, int64_t campaign) {
  return campStoreDbRun(e, "UPDATE camp_participant SET state = 'completed' WHERE campaign = ?1 AND state = 'running' "
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
/* On PostgreSQL workers take due work side by side: each locks the traces
** it takes and their participants until its batch commits, and passes over
** rows another worker holds (SKIP LOCKED), so no trace is taken twice and
** one participant's traces are worked by one worker at a time (its
** completion sees all of them).  The candidates are read first, in the due
** index's order, each checked against its participant and campaign by a
** subquery PostgreSQL cannot turn into a join: with the plain join its
** planner drove from the participants (every one of them, 100x slower)
** whenever its estimates of what is due were off -- a generic plan, tables
** grown since their last ANALYZE.  Twice the batch are read, so a batch
** still fills while others hold some of them. */
#define DUE_PG(S) \
  "WITH due AS MATERIALIZED (SELECT t.id FROM camp_trace t WHERE t.state = " S " AND " Q_PENDING_AS("t.") " AND t.due <= ?1 " \
  "AND (SELECT count(*) FROM camp_participant pa JOIN camp_campaign c ON c.id = pa.campaign WHERE pa.id = t.participant " \
  "AND pa.state = 'running' AND (c.state = 'running' OR pa.test = 1) AND pa.test = ?2 AND (?3 = 0 OR pa.id = ?4) " \
  "AND (?6 = 0 OR pa.campaign = ?6)) = 1 " \
  "AND (t.owner IS NULL OR NOT EXISTS (SELECT 1 FROM camp_runner r WHERE r.id = t.owner)) ORDER BY t.state, t.due LIMIT 2 * ?5) " \
  "SELECT t.id, t.participant, t.parent, t.due, t.state, t.attempts, coalesce(t.message_id, ''), pa.record_id, pa.campaign, a.idx, " \
  "pa.test, coalesce(t.due0, t.due) FROM due JOIN camp_trace t ON t.id = due.id JOIN camp_participant pa ON pa.id = t.participant " \
  "JOIN camp_activity a ON a.id = t.activity WHERE t.state = " S " AND t.due <= ?1 AND pa.state = 'running' " \
  "ORDER BY t.state, t.due LIMIT ?5 FOR UPDATE OF t, pa SKIP LOCKED"

int campStoreTakeDue(Engine *e, int64_t now, int test, int64_t participant, int64_t campaign, DueTrace *out, int max,
                     char *err, size_t errSize) {
  static const char *const dueSql[2][2] = { { DUE_SQL(Q_SENDING), DUE_SQL(Q_SCHEDULED) },
                                            { DUE_PG(Q_SENDING), DUE_PG(Q_SCHEDULED) } };
  int pg = campDbKind(e->conn) == DB_POSTGRES, n = 0;
  for (int k = 0; k < 2 && n < max; k++) {
    DbStmt *st = campStoreDbStmt(e, dueSql[pg][k], err, errSize);
    if (!st) return -1;
    campDbBindInt64(st, 1, now);
    campDbBindInt64(st, 2, test);
    campDbBindInt64(st, 3, participant);
    campDbBindInt64(st, 4, participant);
    campDbBindInt64(st, 5, max - n);
    campDbBindInt64(st, 6, campaign);
    int rc;
    while (n < max && (rc = campDbStep(st)) == DB_ROW) {
      DueTrace *w = &out[n++];
      memset(w, 0, sizeof *w);
      w->trace = campDbColumnInt64(st, 0);
      w->participant = campDbColumnInt64(st, 1);
      w->parent = campDbColumnInt64(st, 2);
      w->due = campDbColumnInt64(st, 3);
      w->state = (int)campDbColumnInt64(st, 4);
      w->attempts = (int)campDbColumnInt64(st, 5);
      snprintf(w->messageId, sizeof w->messageId, "%s", campDbColumnText(st, 6));
      w->record = campDbColumnInt64(st, 7);
      w->campaign = campDbColumnInt64(st, 8);
      w->actIdx = (int)campDbColumnInt64(st, 9);
      w->test = (int)campDbColumnInt64(st, 10);
      w->due0 = campDbColumnInt64(st, 11);
    }
    campDbReset(st);
  }
  return n;
}
#undef DUE_SQL
#undef DUE_PG

int campStoreSpawn(Engine *e, int64_t participant, int64_t activity, int64_t parent, int state, int64_t due, int hasDue,
                   int64_t base) {
  char ign_[160];
  DbStmt *s = campStoreDbStmt(e, "INSERT INTO camp_trace(participant, activity, parent, state, due, base) VALUES(?, ?, ?, ?, ?, ?)", ign_, sizeof ign_);
  if (!s) return -1;
  campDbBindInt64(s, 1, participant);
  campDbBindInt64(s, 2, activity);
  if (parent) campDbBindInt64(s, 3, parent); else campDbBindNull(s, 3);
  campDbBindInt64(s, 4, state);
  if (hasDue) campDbBindInt64(s, 5, due); else campDbBindNull(s, 5);
  if (state == TRACE_SCHEDULED) campDbBindInt64(s, 6, base); else campDbBindNull(s, 6);
  int rc = campDbStep(s) == DB_DONE ? 0 : -1;
  campDbReset(s);
  return rc;
}

int campStoreHold(Engine *e, int64_t trace, int64_t due, const char *note) {
  return campStoreDbRun(e, "UPDATE camp_trace SET due0 = coalesce(due0, due), due = ?, message = ? WHERE id = ?", "iti", due, note, trace);
}

int campStoreSetPath(Engine *e, int64_t trace, int path) {
  return campStoreDbRun(e, "UPDATE camp_trace SET path = ? WHERE id = ?", "ii", (int64_t)path, trace);
}

int campStoreSetTrace(Engine *e, int64_t trace, int state, const char *msg, int64_t doneAt) {
  return campStoreDbRun(e, "UPDATE camp_trace SET state = ?, message = ?, done_at = ? WHERE id = ?", "itii", (int64_t)state, msg, doneAt, trace);
}

int campStoreClaimSend(Engine *e, int64_t trace, const char *messageId, int64_t linkset) {
  if (linkset) return campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_SENDING ", message_id = ?, linkset = ?, owner = ? WHERE id = ?",
                          "tiii", messageId, linkset, e->runner, trace);
  return campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_SENDING ", message_id = ?, linkset = NULL, owner = ? WHERE id = ?",
             "tii", messageId, e->runner, trace);
}

int campStoreClaimHooks(Engine *e, int64_t trace) {
  return campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_SENDING ", owner = ? WHERE id = ?", "ii", e->runner, trace);
}

int campStoreSettle(Engine *e, int64_t trace, int64_t owner, int state, const char *msg, int64_t doneAt) {
  /* a sent message keeps the note the timing rules left on it (sched_timing.c: a record's unknown zone, a hold) */
  if (campStoreDbRun(e, "UPDATE camp_trace SET state = ?, message = coalesce(?2, CASE WHEN message LIKE 'time zone %' OR message LIKE 'held %' "
             "THEN message END), done_at = ?, owner = NULL WHERE id = ? AND state = " Q_SENDING
             " AND owner = ?", "itiii", (int64_t)state, msg, doneAt, trace, owner) < 0) return -1;
  return campDbChanges(e->conn) > 0;
}

int campStoreRetry(Engine *e, int64_t trace, int64_t owner, int64_t due, const char *msg) {
  return campStoreDbRun(e, "UPDATE camp_trace SET attempts = attempts + 1, due = ?, message = ?, owner = NULL "
                "WHERE id = ? AND state = " Q_SENDING " AND owner = ?", "itii", due, msg, trace, owner);
}

int campStoreRelease(Engine *e, int64_t trace, int64_t owner) {
  return campStoreDbRun(e, "UPDATE camp_trace SET owner = NULL WHERE id = ? AND owner = ?", "ii", trace, owner);
}

int campStoreTraceActivity(Engine *e, int64_t trace) {
  char ign_[160];
  DbStmt *q = campStoreDbStmt(e, "SELECT a.idx FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.id = ?", ign_, sizeof ign_);
  if (!q) return -1;
  campDbBindInt64(q, 1, trace);
  int idx = campDbStep(q) == DB_ROW ? (int)campDbColumnInt64(q, 0) : -1;
  campDbReset(q);
  return idx;
}

long campStoreExpireWindows(Engine *e, int64_t now, int64_t **participants, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = " Q_WINDOW_PASSED ", "
                                      "done_at = ? WHERE state = " Q_WAITING " AND " Q_PENDING_AS("") " AND due <= ? RETURNING participant",
                                   err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, now);
  campDbBindInt64(st, 2, now);
  int64_t *parts = NULL;
  size_t n = 0, cap = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (n == cap) {
      int64_t *p = realloc(parts, (cap = cap ? cap * 2 : 256) * sizeof *p);
      if (!p) { rc = ROWS_NOMEM; break; }
      parts = p;
    }
    parts[n++] = campDbColumnInt64(st, 0);
  }
  campDbReset(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", rc == ROWS_NOMEM ? "out of memory" : campDbError(e->conn)); free(parts); return -1; }
  *participants = parts;
  return (long)n;
}

int64_t campStoreNextDue(Engine *e, int test) {
  char ign_[160];
  int64_t next = INT64_MAX;
  DbStmt *st = campStoreDbStmt(e, test
    ? "SELECT min(t.due) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant WHERE " Q_PENDING_AS("t.") " AND pa.test = 1"
    : "SELECT min(due) FROM (SELECT min(due) AS due FROM camp_trace WHERE state = " Q_SCHEDULED " AND " Q_PENDING_AS("") " "
      "UNION ALL SELECT min(due) FROM camp_trace WHERE state = " Q_WAITING " AND " Q_PENDING_AS("") " "
      "UNION ALL SELECT min(due) FROM camp_trace WHERE state = " Q_SENDING " AND " Q_PENDING_AS("") " "
      "AND (owner IS NULL OR NOT EXISTS (SELECT 1 FROM camp_runner r WHERE r.id = owner))) AS pending", ign_, sizeof ign_);
  if (st && campDbStep(st) == DB_ROW && campDbColumnType(st, 0) != DB_NULL) next = campDbColumnInt64(st, 0);
  if (st) campDbReset(st);
  return next;
}

int campStoreDueNow(Engine *e, int64_t participant, int64_t activity, int64_t now, char *err, size_t errSize) {
  if (campStoreDbRun(e, "UPDATE camp_trace SET due = ? WHERE participant = ? AND activity = ? AND state = " Q_SCHEDULED, "iii",
          now, participant, activity) < 0) {
    snprintf(err, errSize, "database: %s", campDbError(e->conn));
    return -1;
  }
  return campDbChanges(e->conn) > 0;
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
  DbStmt *s = campStoreDbStmt(e, "SELECT id FROM camp_linkset WHERE links = ?", ign_, sizeof ign_);
  if (!s) return 0;
  campDbBindText(s, 1, targets, (int)len);
  if (campDbStep(s) == DB_ROW) id = campDbColumnInt64(s, 0);
  campDbReset(s);
  if (!id) {
    /* another worker may be adding the same list (PostgreSQL): this waits
    ** for its commit, then adds nothing, and the list is read again */
    if (!(s = campStoreDbStmt(e, "INSERT INTO camp_linkset(links) VALUES(?) ON CONFLICT(links) DO NOTHING RETURNING id",
                              ign_, sizeof ign_))) return 0;
    campDbBindText(s, 1, targets, (int)len);
    if (campDbStep(s) == DB_ROW) id = campDbColumnInt64(s, 0);
    campDbReset(s);
    if (!id && (s = campStoreDbStmt(e, "SELECT id FROM camp_linkset WHERE links = ?", ign_, sizeof ign_))) {
      campDbBindText(s, 1, targets, (int)len);
      if (campDbStep(s) == DB_ROW) id = campDbColumnInt64(s, 0);
      campDbReset(s);
    }
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
  DbStmt *q = campStoreDbStmt(e, "SELECT url, body FROM camp_outbox WHERE trace = ? ORDER BY idx", ign_, sizeof ign_);
  if (!q) return -1;
  campDbBindInt64(q, 1, trace);
  int rc;
  while ((rc = campDbStep(q)) == DB_ROW) {
    char **u = realloc(*urls, (size_t)(*n + 1) * sizeof *u), **bd = u ? realloc(*bodies, (size_t)(*n + 1) * sizeof *bd) : NULL;
    if (u) *urls = u;
    if (bd) *bodies = bd;
    if (!u || !bd) { rc = ROWS_NOMEM; break; }
    (*urls)[*n] = strdup(campDbColumnText(q, 0));
    (*bodies)[(*n)++] = strdup(campDbColumnText(q, 1));
  }
  campDbReset(q);
  return rc == DB_DONE ? 0 : -1;
}

int campStoreOutboxDrop(Engine *e, int64_t trace) { return campStoreDbRun(e, "DELETE FROM camp_outbox WHERE trace = ?", "i", trace); }

/* -- runners ----------------------------------------------------------------------- */

int campStoreRunnerAlive(Engine *e, int64_t owner) {
  if (campStoreDbRun(e, "UPDATE camp_runner SET heartbeat = ? WHERE id = ?", "ii", (int64_t)time(NULL), owner) < 0) return -1;
  return campDbChanges(e->conn) > 0;
}

int64_t campStoreRunner(Engine *e) { return e->runner; }
