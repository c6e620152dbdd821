/*
** runtime/store_status.c -- the state of a database at a glance.
**
** Owns: campStoreStatus, what `camp status` shows: the clock (real or
** simulated, and now), when the next trace is due, and per campaign and
** mailing its state (draft, running, stopped; a mailing whose list was
** enrolled and that has nothing pending is sent), its deployed version and
** the image's SHA-256, its participants by state (test participants
** apart) and when its next trace is due; a mailing's schedule and sent
** time (store_mailing.c).  Does not own: the report's
** counts (store_report.c), laying the status out (cli/status.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

/* A time as JSON: ISO 8601 UTC, or null when the column is NULL. */
static json_t *statusTime(DbStmt *st, int col) {
  if (campDbColumnType(st, col) == DB_NULL) return json_null();
  char buf[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(campDbColumnInt64(st, col), buf);
  return json_string(buf);
}

/* Participants of campaign cid by state (non-test), and the test ones. */
static int statusParticipants(Engine *e, int64_t cid, json_t *c, char *err, size_t errSize) {
  json_t *parts = json_object();
  json_object_set_new(c, "participants", parts);
  static const char *const states[] = { "running", "completed", "left", "unlinked" };
  for (int i = 0; i < 4; i++) json_object_set_new(parts, states[i], json_integer(0));
  json_int_t test = 0;
  DbStmt *st = campStoreDbStmt(e, "SELECT state, test, count(*) FROM camp_participant WHERE campaign = ? GROUP BY state, test",
                                   err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, cid);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if ((int)campDbColumnInt64(st, 1)) { test += campDbColumnInt64(st, 2); continue; }
    json_object_set_new(parts, campDbColumnText(st, 0), json_integer(campDbColumnInt64(st, 2)));
  }
  campDbReset(st);
  json_object_set_new(c, "test_participants", json_integer(test));
  if (rc == DB_DONE) return 0;
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}

/* A campaign row of the statement in campStoreStatus as JSON. */
static json_t *statusCampaign(DbStmt *st) {
  const char *kind = campStoreDbTextOrNull(st, 2);
  const char *state = campStoreDbTextOrNull(st, 3);
  int64_t pending = campDbColumnInt64(st, 10);
  int mailing = kind && !strcmp(kind, "mailing");
  /* a mailing enrols its list once (last_sync set) and is sent when
  ** nothing of it is pending any more */
  if (mailing && state && !strcmp(state, "running") && campDbColumnType(st, 8) != DB_NULL && !pending) state = "sent";
  json_t *c = json_object();
  json_object_set_new(c, "name", json_string(campDbColumnText(st, 1)));
  json_object_set_new(c, "kind", json_string(kind ? kind : "campaign"));
  json_object_set_new(c, "state", json_string(state ? state : "?"));
  json_object_set_new(c, "version", json_integer(campDbColumnInt64(st, 4)));
  json_object_set_new(c, "hash", campDbColumnType(st, 5) == DB_NULL ? json_null() : json_string(campDbColumnText(st, 5)));
  json_object_set_new(c, "deployed_at", statusTime(st, 6));
  if (mailing) json_object_set_new(c, "at", statusTime(st, 7));
  json_object_set_new(c, "pending", json_integer(pending));
  /* an unsent mailing's next step is its send time (now, when it has none) */
  if (mailing && !strcmp(state, "running") && campDbColumnType(st, 8) == DB_NULL)
    json_object_set_new(c, "next_due", campDbColumnType(st, 7) == DB_NULL ? statusTime(st, 11)
                                       : campDbColumnInt64(st, 7) == CAMP_AT_MANUAL ? json_null() : statusTime(st, 7));
  else json_object_set_new(c, "next_due", statusTime(st, 9));
  return c;
}

json_t *campStoreStatus(Engine *e, const char *database, int64_t nextDue, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT c.id, c.name, c.kind, c.state, c.version, v.hash, v.deployed_at, c.at, c.last_sync,"
    " (SELECT min(t.due) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant"
    "   WHERE pa.campaign = c.id AND pa.test = 0 AND " Q_PENDING_AS("t.") "),"
    " (SELECT count(*) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant"
    "   WHERE pa.campaign = c.id AND pa.test = 0 AND " Q_PENDING_AS("t.") "), CAST(?1 AS BIGINT)"
    " FROM camp_campaign c LEFT JOIN camp_version v ON v.campaign = c.id AND v.version = c.version"
    " ORDER BY c.kind, c.name", err, errSize);
  if (!st) return NULL;
  campDbBindInt64(st, 1, campEngineNow(e));
  json_t *camps = json_array();
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    json_t *c = statusCampaign(st);
    json_array_append_new(camps, c);
    if (statusParticipants(e, campDbColumnInt64(st, 0), c, err, errSize) < 0 ||
        campStoreMailingJson(e, campDbColumnInt64(st, 0), c, err, errSize) < 0) { rc = DB_FAIL; break; }
  }
  if (rc != DB_DONE && rc != DB_FAIL) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  if (rc != DB_DONE) { json_decref(camps); return NULL; }
  char now[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(campEngineNow(e), now);
  json_t *s = json_object();
  json_object_set_new(s, "database", json_string(database));
  json_object_set_new(s, "clock", json_string(e->simulated ? "simulated" : "real"));
  json_object_set_new(s, "now", json_string(now));
  if (nextDue == INT64_MAX) json_object_set_new(s, "next_due", json_null());
  else { campClockFormat(nextDue, now); json_object_set_new(s, "next_due", json_string(now)); }
  json_object_set_new(s, "campaigns", camps);
  return s;
}
