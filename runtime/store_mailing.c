/*
** runtime/store_mailing.c -- what the store knows of mailings beyond their
** traces: whether and when one was sent, the default sender, and the
** statistics per (mailing, member).
**
** Owns: campStoreMailingGet (a mailing's kind, state, schedule, sent stamp
** and pending messages, for camp send), the default sender (camp_meta key
** 'sender': camp init --sender, camp config sender), a mailing's schedule
** and sent stamp in the report and status JSON, and the per-member
** statistics of `camp report MAILING --members` -- derived from the
** mailing's traces and camp_event, never kept twice.  The sent stamp is
** camp_campaign.last_sync: the time the mailing enrolled its list.
** Does not own: sending (sched.c), list membership (store_list.c), the
** campaign report's other numbers (store_report.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

/* -- a mailing's send state -------------------------------------------------------- */

int campStoreMailingGet(Engine *e, const char *name, StoreMailing *m, char *err, size_t errSize) {
  memset(m, 0, sizeof *m);
  sqlite3_stmt *st = campStoreStmt(e, "SELECT c.id, c.kind = 'mailing', c.state, c.at, c.last_sync,"
                                      " (SELECT count(*) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant"
                                      "   WHERE pa.campaign = c.id AND pa.test = 0 AND " Q_PENDING_AS("t.") ")"
                                      " FROM camp_campaign c WHERE c.name = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    m->id = sqlite3_column_int64(st, 0);
    m->mailing = sqlite3_column_int(st, 1);
    snprintf(m->state, sizeof m->state, "%s", (const char *)sqlite3_column_text(st, 2));
    m->at = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3);
    m->sentAt = sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 4);
    m->pending = sqlite3_column_int64(st, 5);
  } else if (rc != SQLITE_DONE) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

const char *campStoreMailingSchedule(int64_t at) {
  return at == CAMP_AT_MANUAL ? "manual" : at ? "deferred" : "when started";
}

/* A mailing's schedule ("manual", "deferred", "when started"), its time
** (null unless deferred) and when it was sent (null: not sent) set on the
** JSON object c, from at and last_sync as stored (NULL columns: 0 and
** INT64_MIN). */
static void scheduleJson(json_t *c, int64_t at, int64_t sentAt) {
  char iso[CAMP_CLOCK_ISO_SIZE];
  json_object_set_new(c, "schedule", json_string(campStoreMailingSchedule(at)));
  if (at && at != CAMP_AT_MANUAL) { campClockFormat(at, iso); json_object_set_new(c, "at", json_string(iso)); }
  else json_object_set_new(c, "at", json_null());
  if (sentAt != INT64_MIN) { campClockFormat(sentAt, iso); json_object_set_new(c, "sent_at", json_string(iso)); }
  else json_object_set_new(c, "sent_at", json_null());
}

int campStoreMailingJson(Engine *e, int64_t campaign, struct json_t *c, char *err, size_t errSize) {
  sqlite3_stmt *st = campStoreStmt(e, "SELECT kind = 'mailing', at, last_sync FROM camp_campaign WHERE id = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, campaign);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_int(st, 0))
    scheduleJson(c, sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1),
                 sqlite3_column_type(st, 2) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 2));
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* -- the default sender ---------------------------------------------------------------- */

char *campStoreMailingSender(Engine *e) {
  char ign[160];
  sqlite3_stmt *st = campStoreStmt(e, "SELECT value FROM camp_meta WHERE key = 'sender' AND typeof(value) = 'text'", ign, sizeof ign);
  if (!st) return NULL;
  char *v = sqlite3_step(st) == SQLITE_ROW ? strdup((const char *)sqlite3_column_text(st, 0)) : NULL;
  sqlite3_reset(st);
  if (v && !*v) { free(v); v = NULL; }
  return v;
}

int campStoreMailingSetSender(Engine *e, const char *value, char *err, size_t errSize) {
  int rc = value && *value
    ? campStoreRun(e, "INSERT INTO camp_meta(key, value) VALUES('sender', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", "t", value)
    : campStoreRun(e, "DELETE FROM camp_meta WHERE key = 'sender'", "");
  if (rc < 0) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  return rc;
}
