/*
** runtime/store_report.c -- reports.
**
** Owns: the report's numbers, read once into one JSON document (the shape
** docs/report.schema.json pins and docs/report.md explains: per campaign
** or mailing its state and version, participants by state, per activity
** scheduled, processed, rejected, canceled, error and, for email and SMS,
** sent, delivered, opened, clicked, replied, bounced, unsubscribed and
** their rates; clicks per URL; processed and rejected per day for the last
** 15 days of the database's clock), and writing it as a table, JSON, CSV
** or -- through runtime/report_html.c, from the same document, so the
** numbers cannot differ -- HTML.  Test participants never count.  Does
** not own: CSV import (store_import.c), the page's layout (report_html.c),
** the timeline (store_timeline.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/report_html.h"
#include "runtime/store_engine.h"

/* Participants by state, and how many were enrolled (every state). */
static int reportParticipants(Engine *e, int64_t cid, json_t *c, char *err, size_t errSize) {
  json_t *parts = json_object();
  json_object_set_new(c, "participants", parts);
  const char *states[] = { "running", "completed", "left", "unlinked" };
  for (int i = 0; i < 4; i++) json_object_set_new(parts, states[i], json_integer(0));
  DbStmt *st = campDbPrepare(e->conn, "SELECT state, count(*) FROM camp_participant WHERE campaign = ? AND test = 0 GROUP BY state", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, cid);
  int rc;
  json_int_t enrolled = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    json_object_set_new(parts, campDbColumnText(st, 0), json_integer(campDbColumnInt64(st, 1)));
    enrolled += campDbColumnInt64(st, 1);
  }
  json_object_set_new(c, "enrolled", json_integer(enrolled));
  return campDbFinish(st, rc, err, errSize);
}

/* One activity's counts as JSON: the counts every activity has and, for
** email and SMS, the message counts (unsubscribed is filled in by
** reportUnsubscribes, the rates by addRates). */
static json_t *activityJson(const StoreActivityCounts *c) {
  static const char *const kinds[] = { "?", "email", "sms", "action", "split", "if" };
  json_t *a = json_pack("{s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I}", "name", c->name,
      "kind", kinds[c->kind >= ACT_EMAIL && c->kind <= ACT_IF ? c->kind : 0], "active", c->idx >= 0,
      "scheduled", (json_int_t)c->pending, "processed", (json_int_t)c->processed,
      "rejected", (json_int_t)c->rejected, "canceled", (json_int_t)c->canceled, "error", (json_int_t)c->error);
  if (c->kind == ACT_ACTION || campActIsBranch(c->kind)) return a;
  json_object_set_new(a, "sent", json_integer(c->sent));
  /* no delivery receipts: a message is delivered unless it bounced (a
  ** bounce can come for a message still being recorded as sent: never < 0) */
  json_object_set_new(a, "delivered", json_integer(c->sent > c->bounced ? c->sent - c->bounced : 0));
  json_object_set_new(a, "opened", json_integer(c->opened));
  json_object_set_new(a, "clicked", json_integer(c->clicked));
  json_object_set_new(a, "replied", json_integer(c->replied));
  json_object_set_new(a, "bounced", json_integer(c->bounced));
  json_object_set_new(a, "unsubscribed", json_integer(0));
  return a;
}

static int appendActivity(void *acts, const StoreActivityCounts *c) {
  json_array_append_new(acts, activityJson(c));
  return 0;
}

static int reportActivities(Engine *e, int64_t cid, json_t *c, char *err, size_t errSize) {
  json_t *acts = json_array();
  json_object_set_new(c, "activities", acts);
  return campStoreActivityCounts(e, cid, appendActivity, acts, err, errSize);
}

/* The rates of a message activity: percent of sent, rounded to one decimal;
** null when nothing was sent (a rate of nothing is not 0 %). */
static void addRates(json_t *a) {
  json_t *sentJ = json_object_get(a, "sent");
  if (!sentJ) return;
  json_int_t sent = json_integer_value(sentJ);
  static const char *const k[] = { "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed" };
  for (int i = 0; i < 6; i++) {
    char key[32];
    snprintf(key, sizeof key, "%s_rate", k[i]);
    json_int_t n = json_integer_value(json_object_get(a, k[i]));
    json_object_set_new(a, key, sent ? json_real((double)(int64_t)(1000.0 * (double)n / (double)sent + 0.5) / 10.0) : json_null());
  }
}

static int reportLinks(Engine *e, int64_t cid, json_t *c, char *err, size_t errSize) {
  json_t *links = json_array();
  json_object_set_new(c, "links", links);
  /* every click counts: a row stands for itself and its repeats (store_event.c) */
  DbStmt *st = campDbPrepare(e->conn, "SELECT ev.url, sum(1 + ev.repeats) FROM camp_event ev JOIN camp_trace t ON t.id = ev.trace"
                           " JOIN camp_participant pa ON pa.id = t.participant"
                           " WHERE pa.campaign = ? AND pa.test = 0 AND ev.kind = 'click' AND ev.url IS NOT NULL"
                           " GROUP BY ev.url ORDER BY 2 DESC, ev.url", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, cid);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW)
    json_array_append_new(links, json_pack("{s:s,s:I}", "url", campDbColumnText(st, 0), "clicks", (json_int_t)campDbColumnInt64(st, 1)));
  return campDbFinish(st, rc, err, errSize);
}

/* Processed and rejected per day for the last 15 days, today last. */
static int reportDays(Engine *e, int64_t cid, json_t *c, char *err, size_t errSize) {
  json_t *days = json_array();
  json_object_set_new(c, "days", days);
  int64_t now = campEngineNow(e), today = now - now % 86400;
  DbStmt *st = campDbPrepare(e->conn, "SELECT (t.done_at - ?2) / 86400, " Q_COUNT("t.state = " Q_PROCESSED) ", " Q_COUNT("t.state = " Q_REJECTED) " FROM camp_trace t"
                           " JOIN camp_participant pa ON pa.id = t.participant WHERE pa.campaign = ?1 AND pa.test = 0"
                           " AND t.done_at >= ?2 AND t.state IN (" Q_PROCESSED ", " Q_REJECTED ") GROUP BY 1", err, errSize);
  if (!st) return -1;
  int64_t proc[15] = { 0 }, rej[15] = { 0 };
  campDbBindInt64(st, 1, cid);
  campDbBindInt64(st, 2, today - 14 * 86400);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    int64_t d = campDbColumnInt64(st, 0);
    if (d >= 0 && d < 15) { proc[d] = campDbColumnInt64(st, 1); rej[d] = campDbColumnInt64(st, 2); }
  }
  if (campDbFinish(st, rc, err, errSize) < 0) return -1;
  for (int d = 0; d < 15; d++) {
    char date[CAMP_CLOCK_ISO_SIZE];
    campClockFormat(today - (14 - d) * 86400, date);
    date[10] = 0;                                  /* the date part */
    json_array_append_new(days, json_pack("{s:s,s:I,s:I}", "date", date, "processed", (json_int_t)proc[d], "rejected", (json_int_t)rej[d]));
  }
  return 0;
}

/* How many of a campaign's messages were unsubscribed from, per activity
** ("unsubscribed") and in all ("unsubscribes"): an unsubscribe event
** (link, one-click POST, `camp event`) counts once per message, however
** often it came. */
static int reportUnsubscribes(Engine *e, int64_t cid, json_t *c, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT a.name, count(DISTINCT ev.trace) FROM camp_event ev JOIN camp_trace t ON t.id = ev.trace"
                                         " JOIN camp_participant pa ON pa.id = t.participant JOIN camp_activity a ON a.id = t.activity"
                                         " WHERE pa.campaign = ? AND pa.test = 0 AND ev.kind = 'unsubscribe' GROUP BY a.id", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, cid);
  json_t *acts = json_object_get(c, "activities");
  json_int_t total = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    json_int_t n = campDbColumnInt64(st, 1);
    total += n;
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
      if (json_object_get(a, "unsubscribed") && !strcmp(json_string_value(json_object_get(a, "name")), campDbColumnText(st, 0)))
        json_object_set_new(a, "unsubscribed", json_integer(n));
  }
  json_object_set_new(c, "unsubscribes", json_integer(total));
  return campDbFinish(st, rc, err, errSize);
}

/* One campaign's report as JSON (see the file comment) from a row of
** campStoreReport's query (id, name, kind, title, state, version, at), or
** NULL with the message in err. */
static json_t *campaignReport(Engine *e, DbStmt *row, char *err, size_t errSize) {
  int64_t cid = campDbColumnInt64(row, 0);
  json_t *c = json_pack("{s:s,s:s,s:o,s:s,s:I,s:o,s:I}", "name", campDbColumnText(row, 1), "kind", campDbColumnText(row, 2),
                        "title", campStoreDbColumnText(row, 3), "state", campDbColumnText(row, 4),
                        "version", (json_int_t)campDbColumnInt64(row, 5), "at", campStoreDbColumnTime(row, 6), "enrolled", (json_int_t)0);
  json_object_set_new(c, "unsubscribes", json_integer(0));      /* its place; reportUnsubscribes counts them */
  if (reportParticipants(e, cid, c, err, errSize) < 0 || reportActivities(e, cid, c, err, errSize) < 0 ||
      reportUnsubscribes(e, cid, c, err, errSize) < 0 || campStoreReportBranches(e, cid, c, err, errSize) < 0 ||
      campStoreMailingJson(e, cid, c, err, errSize) < 0 ||
      reportLinks(e, cid, c, err, errSize) < 0 || reportDays(e, cid, c, err, errSize) < 0) {
    json_decref(c);
    return NULL;
  }
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(c, "activities"), i, a) addRates(a);
  json_t *b, *path;
  json_array_foreach(json_object_get(c, "branches"), i, b) {
    size_t k;
    json_array_foreach(json_object_get(b, "paths"), k, path) addRates(path);
  }
  return c;
}

static double rate(json_int_t n, json_int_t of) { return of ? 100.0 * (double)n / (double)of : 0; }

/* A campaign's split, if and A/B test nodes: a row per path, side by side. */
static void printBranches(json_t *c, FILE *out) {
  size_t i, k;
  json_t *b, *path;
  json_array_foreach(json_object_get(c, "branches"), i, b) {
    const char *kind = json_string_value(json_object_get(b, "kind"));
    long long taken = (long long)json_integer_value(json_object_get(b, "participants"));
    json_t *winner = json_object_get(b, "winner");
    if (!strcmp(kind, "test"))
      fprintf(out, "  A/B test %s (winner by %s): %lld participants, winner %s\n", json_string_value(json_object_get(b, "name")),
              json_string_value(json_object_get(b, "metric")), taken, json_is_string(winner) ? json_string_value(winner) : "not chosen yet");
    else fprintf(out, "  %s %s: %lld participants\n", kind, json_string_value(json_object_get(b, "name")), taken);
    fprintf(out, "    %-16s %6s %12s %7s %14s %14s%s\n", !strcmp(kind, "test") ? "variant" : "path", "share", "participants", "sent",
            "opened", "clicked", !strcmp(kind, "test") ? "   chosen" : "");
    json_array_foreach(json_object_get(b, "paths"), k, path) {
#define N(key) ((long long)json_integer_value(json_object_get(path, key)))
      char share[16] = "";
      if (json_is_number(json_object_get(path, "share"))) snprintf(share, sizeof share, "%g%%", json_number_value(json_object_get(path, "share")));
      fprintf(out, "    %-16s %6s %12lld %7lld %6lld %5.1f%% %6lld %5.1f%%", json_string_value(json_object_get(path, "label")), share,
              N("participants"), N("sent"), N("opened"), rate(N("opened"), N("sent")), N("clicked"), rate(N("clicked"), N("sent")));
      if (json_object_get(path, "chosen")) fprintf(out, " %8lld", N("chosen"));
      fputc('\n', out);
#undef N
    }
  }
}

static void printTable(json_t *camps, FILE *out) {
  size_t i;
  json_t *c;
  json_array_foreach(camps, i, c) {
    json_t *p = json_object_get(c, "participants");
    const char *kind = json_string_value(json_object_get(c, "kind"));
    fprintf(out, "%s%s %s: %lld running, %lld completed, %lld left, %lld unsubscribed\n", i ? "\n" : "", kind ? kind : "campaign",
            json_string_value(json_object_get(c, "name")), (long long)json_integer_value(json_object_get(p, "running")),
            (long long)json_integer_value(json_object_get(p, "completed")), (long long)json_integer_value(json_object_get(p, "left")),
            (long long)json_integer_value(json_object_get(c, "unsubscribes")));
    json_int_t abuse = json_integer_value(json_object_get(c, "abuse_reports"));
    if (abuse) fprintf(out, "  %lld abuse reports (complaints: the addresses are suppressed)\n", (long long)abuse);
    const char *sched = json_string_value(json_object_get(c, "schedule")), *at = json_string_value(json_object_get(c, "at"));
    const char *sent = json_string_value(json_object_get(c, "sent_at"));
    const char *via = json_string_value(json_object_get(c, "transport"));
    if (sched) fprintf(out, "  %s%s%s, %s%s%s%s\n", sched, at ? " " : "", at ? at : "", sent ? "sent at " : "not sent", sent ? sent : "",
                       via ? " via " : "", via ? via : "");
    fprintf(out, "  %-18s %-6s %9s %9s %8s %8s %6s %7s %14s %14s %14s %14s\n", "activity", "kind", "scheduled", "processed",
            "rejected", "canceled", "error", "sent", "opened", "clicked", "replied", "bounced");
    size_t j;
    json_t *a;
    json_array_foreach(json_object_get(c, "activities"), j, a) {
#define N(k) ((long long)json_integer_value(json_object_get(a, k)))
      fprintf(out, "  %-18s %-6s %9lld %9lld %8lld %8lld %6lld", json_string_value(json_object_get(a, "name")),
              json_string_value(json_object_get(a, "kind")), N("scheduled"), N("processed"), N("rejected"), N("canceled"), N("error"));
      if (json_object_get(a, "sent")) {
        fprintf(out, " %7lld", N("sent"));
        const char *k[] = { "opened", "clicked", "replied", "bounced" };
        for (int x = 0; x < 4; x++) fprintf(out, " %6lld %5.1f%%", N(k[x]), rate(N(k[x]), N("sent")));
      }
      fputc('\n', out);
#undef N
    }
    printBranches(c, out);
    json_t *links = json_object_get(c, "links");
    if (json_array_size(links)) {
      fputs("  links:\n", out);
      json_array_foreach(links, j, a)
        fprintf(out, "    %6lld  %s\n", (long long)json_integer_value(json_object_get(a, "clicks")), json_string_value(json_object_get(a, "url")));
    }
    fputs("  last 15 days (processed/rejected):", out);
    json_array_foreach(json_object_get(c, "days"), j, a)
      fprintf(out, " %lld/%lld", (long long)json_integer_value(json_object_get(a, "processed")),
              (long long)json_integer_value(json_object_get(a, "rejected")));
    fputc('\n', out);
  }
}

static void printCsv(json_t *camps, FILE *out) {
  fputs("campaign,activity,kind,scheduled,processed,rejected,canceled,error,sent,opened,clicked,replied,bounced\n", out);
  size_t i, j;
  json_t *c, *a;
  json_array_foreach(camps, i, c) json_array_foreach(json_object_get(c, "activities"), j, a) {
    fprintf(out, "%s,%s,%s", json_string_value(json_object_get(c, "name")), json_string_value(json_object_get(a, "name")),
            json_string_value(json_object_get(a, "kind")));
    const char *k[] = { "scheduled", "processed", "rejected", "canceled", "error", "sent", "opened", "clicked", "replied", "bounced" };
    for (int x = 0; x < 10; x++) fprintf(out, ",%lld", (long long)json_integer_value(json_object_get(a, k[x])));
    fputc('\n', out);
  }
}

json_t *campStoreReportDocument(Engine *e, const char *campaign, const char *initiative, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT id, name, kind, title, state, version, at FROM camp_campaign"
                                         " WHERE (CAST(?1 AS TEXT) IS NULL OR name = ?1) AND (CAST(?2 AS TEXT) IS NULL OR initiative = ?2) ORDER BY name", err, errSize);
  if (!st) return NULL;
  if (campaign) campDbBindText(st, 1, campaign, -1);
  if (initiative) campDbBindText(st, 2, initiative, -1);
  char now[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(campEngineNow(e), now);
  json_t *camps = json_array();
  json_t *root = json_pack("{s:i,s:s,s:s,s:o}", "version", CAMP_REPORT_VERSION, "at", now,
                           "clock", campEngineIsSimulated(e) ? "simulated" : "real", "campaigns", camps);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    json_t *c = campaignReport(e, st, err, errSize);
    if (!c) { campDbFinalize(st); json_decref(root); return NULL; }
    json_array_append_new(camps, c);
  }
  if (campDbFinish(st, rc, err, errSize) < 0) { json_decref(root); return NULL; }
  if (campaign && !json_array_size(camps)) { snprintf(err, errSize, "no campaign '%s' is deployed", campaign); json_decref(root); return NULL; }
  return root;
}

int campStoreReportWrite(const json_t *root, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  if (fmt == REPORT_JSON) {
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | CAMP_REPORT_JSON_REALS);
    fputc('\n', out);
  } else if (campReportHtmlWrite(root, out) < 0) {
    snprintf(err, errSize, "out of memory");
    return -1;
  }
  return 0;
}

int campStoreReport(Engine *e, const char *campaign, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  json_t *root = campStoreReportDocument(e, campaign, NULL, err, errSize);
  if (!root) return -1;
  json_t *camps = json_object_get(root, "campaigns");
  int rc = 0;
  if (fmt == REPORT_JSON || fmt == REPORT_HTML) rc = campStoreReportWrite(root, fmt, out, err, errSize);
  else if (fmt == REPORT_CSV) printCsv(camps, out);
  else printTable(camps, out);
  json_decref(root);
  return rc;
}

int campStoreCampaignStates(Engine *e, long *draft, long *running, long *stopped, char *err, size_t errSize) {
  *draft = *running = *stopped = 0;
  DbStmt *st = campDbPrepare(e->conn, "SELECT state, count(*) FROM camp_campaign GROUP BY state", err, errSize);
  if (!st) return -1;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    const char *state = campStoreDbTextOrNull(st, 0);
    long n = (long)campDbColumnInt64(st, 1);
    if (!state) continue;
    if (!strcmp(state, "draft")) *draft += n;
    else if (!strcmp(state, "running")) *running += n;
    else *stopped += n;
  }
  return campDbFinish(st, rc, err, errSize);
}

/* Running campaigns whose image an older camp compiled (image version 1:
** no escaping of record values, no value marks for the link tracker): one
** warning line each on out.  How many there are, or -1. */
int campStoreWarnOldImages(Engine *e, FILE *out, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT c.name FROM camp_campaign c JOIN camp_version v ON v.campaign = c.id AND v.version = c.version "
                                         "WHERE c.state = 'running' AND substr(v.image, 9, 4) = ? ORDER BY c.name", err, errSize);
  if (!st) return -1;
  static const unsigned char v1[4] = { 1, 0, 0, 0 };    /* a blob literal: X'..' is a bit string to PostgreSQL */
  campDbBindBlob(st, 1, v1, 4);
  int rc, n = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    fprintf(out, "camp run: warning: campaign '%s' was compiled by an older camp: record values in its emails are not "
                 "HTML-escaped and links inside them are tracked -- redeploy it (camp deploy FILE.camp)\n", campDbColumnText(st, 0));
    n++;
  }
  return campDbFinish(st, rc, err, errSize) < 0 ? -1 : n;
}
