/*
** runtime/store_timeline.c -- the timeline: every trace, as text or JSON.
**
** Owns: campStoreTimeline (the traces participant by participant, each
** one's in time order, with their Message-IDs and the events received on
** them, for scenarios, support and tools) and campStoreParticipantTimeline (one
** participant's traces, as camp test prints them).  Does not own: the
** report's counts (store_report.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

/* A time as the timeline's text shows it ("-" when NULL, to the minute:
** 2026-01-05T09:00) into buf. */
static void timelineMinute(DbStmt *st, int col, char buf[CAMP_CLOCK_ISO_SIZE]) {
  strcpy(buf, "-");
  if (campDbColumnType(st, col) == DB_NULL) return;
  campClockFormat(campDbColumnInt64(st, col), buf);
  if (strlen(buf) == 20) buf[16] = 0;
}

/* The events received on trace, in time order, as JSON objects in *arr:
** event, at, url (or null) and count (the event and its repeats).  0, or
** -1 with the message in err. */
static int timelineReceived(Engine *e, int64_t trace, json_t *arr, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT kind, at, url, 1 + repeats FROM camp_event WHERE trace = ? ORDER BY at, id", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    json_t *o = json_object();
    json_object_set_new(o, "event", campStoreDbColumnText(st, 0));
    json_object_set_new(o, "at", campStoreDbColumnTime(st, 1));
    json_object_set_new(o, "url", campStoreDbColumnText(st, 2));
    json_object_set_new(o, "count", json_integer(campDbColumnInt64(st, 3)));
    json_array_append_new(arr, o);
  }
  campDbReset(st);
  if (rc == DB_DONE) return 0;
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}

/* One trace as a JSON object: every column of the text line plus attempts,
** the events seen (names, in the order of their flags), the Message-ID
** and the events received.  The caller owns it. */
static json_t *timelineJson(DbStmt *st, const char *state, json_t *received) {
  static const struct { int bit; const char *name; } events[] = {
    { EV_OPEN, "open" }, { EV_CLICK, "click" }, { EV_REPLY, "reply" }, { EV_BOUNCE, "bounce" } };
  json_t *seen = json_array();
  int bits = (int)campDbColumnInt64(st, 10);
  for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
    if (bits & events[i].bit) json_array_append_new(seen, json_string(events[i].name));
  json_t *o = json_object();
  json_object_set_new(o, "campaign", campStoreDbColumnText(st, 0));
  json_object_set_new(o, "record", json_integer(campDbColumnInt64(st, 1)));
  json_object_set_new(o, "test", json_boolean((int)campDbColumnInt64(st, 8)));
  json_object_set_new(o, "participant", campStoreDbColumnText(st, 2));
  json_object_set_new(o, "activity", campStoreDbColumnText(st, 3));
  json_object_set_new(o, "state", json_string(state));
  json_object_set_new(o, "due", campStoreDbColumnTime(st, 5));
  json_object_set_new(o, "done", campStoreDbColumnTime(st, 6));
  json_object_set_new(o, "attempts", json_integer(campDbColumnInt64(st, 9)));
  json_object_set_new(o, "events", seen);
  json_object_set_new(o, "message_id", campStoreDbColumnText(st, 11));
  json_object_set_new(o, "message", campStoreDbColumnText(st, 7));
  json_object_set_new(o, "received", received);
  return o;
}

/* One trace as text: its line, then (indented) its Message-ID and each
** event received on it, to the minute, a click with its URL. */
static void timelineLine(DbStmt *st, const char *state, json_t *received, FILE *out) {
  char due[CAMP_CLOCK_ISO_SIZE], done[CAMP_CLOCK_ISO_SIZE];
  timelineMinute(st, 5, due);
  timelineMinute(st, 6, done);
  const char *message = campDbColumnText(st, 7), *mid = campStoreDbTextOrNull(st, 11);
  fprintf(out, "%s record %lld%s (%s): %-16s %-9s due %-16s done %-16s %s\n", campDbColumnText(st, 0),
          (long long)campDbColumnInt64(st, 1), (int)campDbColumnInt64(st, 8) ? " [test]" : "", campDbColumnText(st, 2),
          campDbColumnText(st, 3), state, due, done, message ? message : "");
  if (mid) fprintf(out, "    message-id %s\n", mid);
  size_t i;
  json_t *ev;
  json_array_foreach(received, i, ev) {
    char at[CAMP_CLOCK_ISO_SIZE];
    snprintf(at, sizeof at, "%s", json_string_value(json_object_get(ev, "at")));
    if (strlen(at) == 20) at[16] = 0;
    const char *url = json_string_value(json_object_get(ev, "url"));
    json_int_t n = json_integer_value(json_object_get(ev, "count"));
    fprintf(out, "    %s %s%s%s", at, json_string_value(json_object_get(ev, "event")), url ? " " : "", url ? url : "");
    if (n > 1) fprintf(out, " (%lld times)", (long long)n);
    fputc('\n', out);
  }
}

/* Every trace (of campaign, of record, or all), participant by
** participant, each one's in time order: when it was done, else when it is
** due (a waiting branch: when its window ends).  Text: one line a trace
** (the scenarios' golden form) with its Message-ID and events below.
** JSON: {"traces": [...]}, one object a line, written as the rows come
** (never the whole set in memory). */
int campStoreTimeline(Engine *e, const char *campaign, const int64_t *record, ReportFormat fmt, FILE *out,
                      char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT c.name, pa.record_id, pa.state, a.name, t.state, t.due, t.done_at, t.message, pa.test,"
    " t.attempts, t.events, t.message_id, t.id"
    " FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant JOIN camp_campaign c ON c.id = pa.campaign"
    " JOIN camp_activity a ON a.id = t.activity WHERE (CAST(?1 AS TEXT) IS NULL OR c.name = ?1)"
    " AND (CAST(?2 AS BIGINT) IS NULL OR pa.record_id = ?2)"
    " ORDER BY c.name, pa.test, pa.record_id, coalesce(t.done_at, t.due, 9223372036854775807), t.id", err, errSize);
  if (!st) return -1;
  if (campaign) campDbBindText(st, 1, campaign, -1);
  if (record) campDbBindInt64(st, 2, *record);
  int rc, n = 0;
  if (fmt == REPORT_JSON) fputs("{\"traces\": [", out);
  while ((rc = campDbStep(st)) == DB_ROW) {
    const char *state = campStoreStateName((int)campDbColumnInt64(st, 4));
    json_t *received = json_array();
    /* events are recorded on messages only: found by their Message-ID */
    if (campDbColumnType(st, 11) != DB_NULL && timelineReceived(e, campDbColumnInt64(st, 12), received, err, errSize) < 0) {
      json_decref(received);
      campDbFinalize(st);
      return -1;
    }
    if (fmt == REPORT_JSON) {
      json_t *o = timelineJson(st, state, received);
      fputs(n++ ? ",\n  " : "\n  ", out);
      json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
      json_decref(o);
      continue;
    }
    timelineLine(st, state, received, out);
    json_decref(received);
  }
  if (fmt == REPORT_JSON) fputs(n ? "\n]}\n" : "]}\n", out);
  return campDbFinish(st, rc, err, errSize);
}

/* One participant's traces, as camp test prints them. */
int campStoreParticipantTimeline(Engine *e, int64_t participant, FILE *out, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT a.name, t.due, t.state, coalesce(t.message_id, ''), coalesce(t.message, '') FROM camp_trace t "
                                         "JOIN camp_activity a ON a.id = t.activity WHERE t.participant = ? ORDER BY t.id", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, participant);
  fprintf(out, "%-20s %-20s %-10s %-28s %s\n", "activity", "due", "state", "message-id", "message");
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    char due[CAMP_CLOCK_ISO_SIZE] = "-";
    if (campDbColumnType(st, 1) != DB_NULL) campClockFormat(campDbColumnInt64(st, 1), due);
    fprintf(out, "%-20s %-20s %-10s %-28s %s\n", campDbColumnText(st, 0), due, campStoreStateName((int)campDbColumnInt64(st, 2)),
            campDbColumnText(st, 3), campDbColumnText(st, 4));
  }
  return campDbFinish(st, rc, err, errSize);
}
