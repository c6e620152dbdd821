/*
** runtime/store_event.c -- what participants do: open, click, reply,
** bounce, unsubscribe.
**
** Owns: the store's verbs for events, on SQLite: finding the message an
** event names (camp's whole Message-ID, which must match the one stored on
** the trace: its MAC part is unguessable, see track.c), storing the event
** (a repeat -- same kind and URL on one trace -- is counted on the first
** one's row), a trace's event bits, its pending children and those whose window
** closed (and a participant's children a website visit may act on:
** sched_visit.c), suppressing the
** address a message went to; also provider webhook ids seen once, STOP
** replies to SMS, and a message's ID and links for the tracking server.
** Does not own: what an event implies (sched_event.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

/* A bounce or an unsubscribe suppresses the address the message went to:
** the record's email for an email, its phone for an SMS (the activity's
** kind as stored: it holds even when a later version removed the
** activity). */
int campStoreSuppressTrace(Engine *e, const Loaded *l, int64_t trace, int64_t record, const char *reason, int64_t at,
                           char *err, size_t errSize) {
  DbStmt *s = campStoreDbStmt(e, "SELECT a.kind FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.id = ?",
                                  err, errSize);
  if (!s) return -1;
  campDbBindInt64(s, 1, trace);
  int kind = campDbStep(s) == DB_ROW ? (int)campDbColumnInt64(s, 0) : 0;
  campDbReset(s);
  if (kind != ACT_EMAIL && kind != ACT_SMS) return 0;
  int got = campStoreLoadRecord(e, l, record, err, errSize);
  if (got != 0) return got < 0 ? -1 : 0;
  int f = kind == ACT_SMS ? l->phoneField : l->emailField;
  if (f < 0 || e->fields[f].tag != VAL_TEXT) return 0;
  return campStoreSuppress(e, kind == ACT_SMS, e->fields[f].u.s, e->fields[f].len, reason, at, err, errSize) < 0 ? -1 : 0;
}

/* Store an event: the first of its kind (and URL) on a trace is a row;
** each later one adds to that row's repeats, so a pixel loaded a million
** times is one row, not a million (reports count 1 + repeats as the total).
** 0 a new row, 1 a repeat, or -1 (the message is SQLite's). */
int campStoreRecordEvent(Engine *e, int64_t trace, const char *kind, int64_t at, const char *url) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "UPDATE camp_event SET repeats = repeats + 1 WHERE id = "
                                      "(SELECT id FROM camp_event WHERE trace = ?1 AND kind = ?2 AND url IS NOT DISTINCT FROM ?3 ORDER BY id LIMIT 1)",
                                   ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  campDbBindText(st, 2, kind, -1);
  if (url) campDbBindText(st, 3, url, -1); else campDbBindNull(st, 3);
  int rc = campDbStep(st) == DB_DONE ? 0 : -1;
  campDbReset(st);
  if (rc < 0) return rc;
  if (campDbChanges(e->conn) > 0) return 1;
  st = campStoreDbStmt(e, "INSERT INTO camp_event(trace, kind, at, url) VALUES(?, ?, ?, ?)", ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  campDbBindText(st, 2, kind, -1);
  campDbBindInt64(st, 3, at);
  if (url) campDbBindText(st, 4, url, -1); else campDbBindNull(st, 4);
  rc = campDbStep(st) == DB_DONE ? 0 : -1;
  campDbReset(st);
  return rc;
}

int campStoreFindMessage(Engine *e, const char *messageId, StoreMessage *m, char *err, size_t errSize) {
  /* camp's Message-IDs are t<trace id>.<MAC>@camp: the id finds the row,
  ** the whole ID must then match what was sent */
  char *end;
  if (messageId[0] == '<') messageId++;
  size_t idLen = strcspn(messageId, ">");
  if (messageId[0] != 't' || messageId[1] < '0' || messageId[1] > '9') return 1;
  long long traceId = strtoll(messageId + 1, &end, 10);
  if (*end != '.') return 1;
  DbStmt *st = campStoreDbStmt(e,
    "SELECT t.id, t.participant, t.events, pa.campaign, pa.record_id, c.state IN ('running', 'draft') FROM camp_trace t "
    "JOIN camp_participant pa ON pa.id = t.participant JOIN camp_campaign c ON c.id = pa.campaign "
    "WHERE t.id = ? AND t.message_id = ? AND t.state IN (" Q_PROCESSED ", " Q_SENDING ")", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, traceId);
  campDbBindText(st, 2, messageId, (int)idLen);
  if (campDbStep(st) != DB_ROW) { campDbReset(st); return 1; }
  m->trace = campDbColumnInt64(st, 0);
  m->participant = campDbColumnInt64(st, 1);
  m->events = (int)campDbColumnInt64(st, 2);
  m->campaign = campDbColumnInt64(st, 3);
  m->record = campDbColumnInt64(st, 4);
  m->active = (int)campDbColumnInt64(st, 5);
  campDbReset(st);
  return 0;
}

int campStoreAddEvents(Engine *e, int64_t trace, int bits) {
  return campStoreDbRun(e, "UPDATE camp_trace SET events = events | ? WHERE id = ?", "ii", (int64_t)bits, trace);
}

/* The children of trace in statement sql (participant ?1, trace ?2), in
** *kids (malloc'd). */
static int children(Engine *e, const char *sql, int64_t participant, int64_t trace, StoreChild **kids, int *n) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, sql, ign_, sizeof ign_);
  *kids = NULL;
  *n = 0;
  if (!st) return -1;
  campDbBindInt64(st, 1, participant);         /* children share the parent's participant: its index finds them */
  campDbBindInt64(st, 2, trace);
  int rc, cap = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      StoreChild *grown = realloc(*kids, (size_t)(cap = cap ? cap * 2 : 16) * sizeof **kids);
      if (!grown) { rc = DB_FAIL; break; }
      *kids = grown;
    }
    StoreChild *k = &(*kids)[(*n)++];
    k->id = campDbColumnInt64(st, 0);
    k->state = (int)campDbColumnInt64(st, 1);
    k->idx = (int)campDbColumnInt64(st, 2);
    k->hasDue = campDbColumnType(st, 3) != DB_NULL;
    k->due = k->hasDue ? campDbColumnInt64(st, 3) : 0;
    k->base = campDbColumnType(st, 4) != DB_NULL ? campDbColumnInt64(st, 4) : INT64_MIN;
  }
  campDbReset(st);
  if (rc == DB_DONE) return 0;
  free(*kids);
  *kids = NULL;
  return -1;
}

int campStorePendingChildren(Engine *e, int64_t participant, int64_t trace, StoreChild **kids, int *n) {
  return children(e, "SELECT t.id, t.state, a.idx, t.due, t.base FROM camp_trace t JOIN camp_activity a ON a.id = t.activity "
                     "WHERE t.participant = ?1 AND t.parent = ?2 AND +t.state IN (" Q_SCHEDULED ", " Q_WAITING ")",
                  participant, trace, kids, n);
}

int campStoreClosedChildren(Engine *e, int64_t participant, int64_t trace, StoreChild **kids, int *n) {
  return children(e, "SELECT t.id, t.state, a.idx, t.due, t.base FROM camp_trace t JOIN camp_activity a ON a.id = t.activity "
                     "WHERE t.participant = ?1 AND t.parent = ?2 AND +t.state = " Q_CANCELED " AND t.message = " Q_WINDOW_PASSED,
                  participant, trace, kids, n);
}

/* A visit's branches: the children of every message of the participant
** that was processed (sent) at or before ?2 -- pending ones, or (closed)
** those a run closed when their window passed.  The participant's index
** finds its traces; the parent is one primary-key lookup each. */
int campStoreVisitChildren(Engine *e, int64_t participant, int64_t at, int closed, StoreChild **kids, int *n) {
#define VISIT_CHILDREN(STATE) "SELECT t.id, t.state, a.idx, t.due, t.base FROM camp_trace t JOIN camp_activity a ON a.id = t.activity " \
  "JOIN camp_trace pt ON pt.id = t.parent WHERE t.participant = ?1 AND " STATE " AND pt.state = " Q_PROCESSED " AND pt.done_at <= ?2"
  return children(e, closed ? VISIT_CHILDREN("+t.state = " Q_CANCELED " AND t.message = " Q_WINDOW_PASSED)
                            : VISIT_CHILDREN("+t.state IN (" Q_SCHEDULED ", " Q_WAITING ")"),
                  participant, at, kids, n);
#undef VISIT_CHILDREN
}

int campStoreCloseWindow(Engine *e, int64_t trace, int64_t end) {
  return campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = " Q_WINDOW_PASSED ", done_at = ? WHERE id = ?",
                      "ii", end, trace);
}

int campStoreMakeDue(Engine *e, int64_t trace, int64_t due, int64_t base) {
  return campStoreDbRun(e, "UPDATE camp_trace SET state = " Q_SCHEDULED ", due = ?, base = ? WHERE id = ?", "iii", due, base, trace);
}

int campStoreInTransaction(Engine *e) { return !!campDbInTransaction(e->conn); }

int campStoreHookSeen(Engine *e, const char *id, int64_t at, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "INSERT INTO camp_hook_event(id, at) VALUES(?, ?) ON CONFLICT(id) DO NOTHING", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, id, -1);
  campDbBindInt64(st, 2, at);
  int rc = campDbStep(st) == DB_DONE ? (campDbChanges(e->conn) ? 0 : 1) : -1;
  campDbReset(st);
  if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return rc;
}

/* STOP and its usual synonyms (English, French), the whole reply, any
** case, blanks and final punctuation ignored. */
static int isStopWord(const char *text) {
  static const char *const words[] = { "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "arret", "arr\xc3\xaat", "arr\xc3\x8at" };
  while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n') text++;
  size_t n = strlen(text);
  while (n && strchr(" \t\r\n.!", text[n - 1])) n--;
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    size_t k = strlen(words[i]);
    if (k != n) continue;
    size_t j = 0;
    while (j < n && (unsigned char)(text[j] >= 'A' && text[j] <= 'Z' ? text[j] + 32 : text[j]) == (unsigned char)words[i][j]) j++;
    if (j == n) return 1;
  }
  return 0;
}

int campStoreStopReply(Engine *e, const char *phone, const char *text, int64_t at, char *err, size_t errSize) {
  if (!isStopWord(text)) return 0;
  /* the phone in the one normal form suppressions are kept in (store_suppress.c) */
  return campStoreSuppress(e, 1, phone, strlen(phone), "stop", at, err, errSize) < 0 ? -1 : 1;
}

int campStoreTraceMessage(Engine *e, int64_t trace, char *messageId, size_t idSize) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT message_id FROM camp_trace WHERE id = ? AND message_id IS NOT NULL", ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  int rc = campDbStep(st) == DB_ROW ? 0 : 1;
  if (rc == 0) snprintf(messageId, idSize, "%s", campDbColumnText(st, 0));
  campDbReset(st);
  return rc;
}

/* The target of link `link` of a trace's message: the link-th line of the
** trace's list of links (see campStoreClaimSend in store_trace.c). */
int campStoreLinkUrl(Engine *e, int64_t trace, uint32_t link, char *url, size_t urlSize) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT s.links FROM camp_trace t JOIN camp_linkset s ON s.id = t.linkset WHERE t.id = ?",
                                   ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  int rc = 1;
  if (campDbStep(st) == DB_ROW) {
    const char *p = campDbColumnText(st, 0), *end = p + campDbColumnBytes(st, 0);
    for (uint32_t i = 0; p && p < end; i++) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
      if (i == link) {
        if (n < urlSize) { memcpy(url, p, n); url[n] = 0; rc = 0; }
        break;
      }
      p = nl ? nl + 1 : end;
    }
  }
  campDbReset(st);
  return rc;
}
