/*
** runtime/store_webreport.c -- the web numbers: per website (camp report
** --website) and per initiative (the "web" section of camp report
** --initiative).
**
** Owns: what the reports count of the hits and visits (docs/report.md,
** "Websites"): visits, bots' visits apart, unique visitors (distinct
** visitor ids; a contact without one counted once), page views, events
** by name with their count and value, conversions (hits named as a goal
** of their website) and their value (revenue), the series in buckets of a
** report scale, and beside an initiative's budget the cost per visit and
** per conversion and the return; the website report's document and table.
** Bots' hits and visits never count.  A website's hits are its site_id's;
** an initiative's are those whose code is one it has or had (camp_code).
** Does not own: grouping (store_visit.c: the caller groups first), the
** initiative's own numbers (store_initiative.c) or the page (report_html.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/report_html.h"   /* CAMP_REPORT_JSON_REALS */
#include "runtime/store_engine.h"

#define MAX_BUCKETS 10000          /* a longer series keeps its last MAX_BUCKETS buckets */

/* Which hits, as a WHERE term on camp_hit h with ?1: a website's site_id,
** or an initiative's name. */
#define HITS_OF_SITE "h.site = ?1"
#define HITS_OF_INITIATIVE "h.code IN (SELECT code FROM camp_code WHERE initiative = ?1)"
/* Is hit h a conversion (1, else 0): its name is a line of its website's
** goals (w joined; none: 0).  A line is found by what replacing it takes
** away: instr is SQLite's, strpos PostgreSQL's, replace both's. */
#define GOALS "('\n' || w.goals || '\n')"
#define GOAL "CASE WHEN length(" GOALS ") <> length(replace(" GOALS ", '\n' || h.name || '\n', '')) THEN 1 ELSE 0 END"
#define HUMAN "h.ua_class <> 'bot'"
#define FROM_HITS " FROM camp_hit h LEFT JOIN camp_website w ON w.site_id = h.site WHERE "

/* A statement of the web numbers: sql with each "%s" replaced by the hits'
** term (constant text: the key is bound as ?1), and "%h" and "%v" by the
** bucket (of the scale whose format addRows binds as ?2) of h.at and of
** v.first_at: SQLite's strftime, PostgreSQL's to_char. */
static DbStmt *prepareOn(Engine *e, int initiative, const char *key, const char *sql, char *err, size_t errSize) {
  const char *term = initiative ? HITS_OF_INITIATIVE : HITS_OF_SITE;
  int pg = campDbKind(e->conn) == DB_POSTGRES;
  Buf b = { 0 };
  for (const char *p = sql; *p; p++) {
    const char *col = p[0] != '%' ? NULL : p[1] == 'h' ? "h.at" : p[1] == 'v' ? "v.first_at" : NULL;
    if (p[0] == '%' && p[1] == 's') { campBufPuts(&b, term); p++; }
    else if (col) { campBufPrintf(&b, pg ? "to_char(to_timestamp(%s), ?2)" : "strftime(?2, %s, 'unixepoch')", col); p++; }
    else campBufPut(&b, p, 1);
  }
  campBufPut(&b, "", 1);
  DbStmt *st = b.oom ? NULL : campDbPrepare(e->conn, b.p, err, errSize);
  if (b.oom) snprintf(err, errSize, "out of memory");
  campBufFree(&b);
  if (st) campDbBindText(st, 1, key, -1);
  return st;
}

/* Money and ratios: rounded to 4 decimals. */
static double round4(double v) { return (double)(int64_t)(v * 10000.0 + (v < 0 ? -0.5 : 0.5)) / 10000.0; }

/* The totals into web: visits, bot_visits, unique_visitors, page_views,
** events (hits that are not page views), conversions, revenue. */
static int totals(Engine *e, int initiative, const char *key, json_t *web, char *err, size_t errSize) {
  DbStmt *st = prepareOn(e, initiative, key,
    "SELECT (SELECT count(*) FROM camp_visit v WHERE v.bot = 0 AND v.id IN (SELECT h.visit FROM camp_hit h WHERE %s AND " HUMAN ")),"
    " (SELECT count(*) FROM camp_visit v WHERE v.bot = 1 AND v.id IN (SELECT h.visit FROM camp_hit h WHERE %s)),"
    " count(DISTINCT coalesce(h.visitor, h.model || ':' || h.record_id)), coalesce(" Q_COUNT("h.name = 'visit'") ", 0),"
    " coalesce(" Q_COUNT("h.name <> 'visit'") ", 0), coalesce(sum(" GOAL "), 0),"
    " coalesce(sum(CASE WHEN " GOAL " = 1 THEN h.value END), 0.0)"
    FROM_HITS "%s AND " HUMAN, err, errSize);
  if (!st) return -1;
  int rc = campDbStep(st);
  if (rc == DB_ROW) {
    static const char *const names[] = { "visits", "bot_visits", "unique_visitors", "page_views", "events", "conversions" };
    for (int k = 0; k < 6; k++) json_object_set_new(web, names[k], json_integer(campDbColumnInt64(st, k)));
    json_object_set_new(web, "revenue", json_real(round4(campDbColumnDouble(st, 6))));
  }
  return campDbFinish(st, rc == DB_ROW ? DB_DONE : rc, err, errSize);
}

/* Every event name of the hits (page views "visit" included), most hits
** first: its count, value summed and whether it is a goal. */
static json_t *eventsJson(Engine *e, int initiative, const char *key, char *err, size_t errSize) {
  DbStmt *st = prepareOn(e, initiative, key,
    "SELECT h.name, count(*), sum(h.value), max(" GOAL ")" FROM_HITS "%s AND " HUMAN " GROUP BY h.name ORDER BY 2 DESC, 1",
    err, errSize);
  if (!st) return NULL;
  json_t *list = json_array();
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW)
    json_array_append_new(list, json_pack("{s:s,s:I,s:f,s:b}", "name", campDbColumnText(st, 0),
                                          "count", (json_int_t)campDbColumnInt64(st, 1), "value", round4(campDbColumnDouble(st, 2)),
                                          "goal", (int)campDbColumnInt64(st, 3)));
  if (campDbFinish(st, rc, err, errSize) < 0) { json_decref(list); return NULL; }
  return list;
}

/* The counts of one bucket. */
enum { B_VISITS, B_VISITORS, B_PAGES, B_EVENTS, B_CONVERSIONS, NB_COUNT };
static const char *const BCOUNTS[NB_COUNT] = { "visits", "visitors", "page_views", "events", "conversions" };
typedef struct Bucket { int64_t n[NB_COUNT]; double revenue; } Bucket;

/* One row per bucket of the scale (grouped by its text: prepareOn's "%h"
** and "%v"), first column its earliest time: into counts over [origin, nb
** buckets). */
static int addRows(Engine *e, DbStmt *st, int scale, int64_t origin, int64_t nb, Bucket *bk, int visits,
                   char *err, size_t errSize) {
  if (campDbKind(e->conn) == DB_POSTGRES)
    campDbBindText(st, 2, scale == SCALE_HOUR ? "YYYY-MM-DD HH24" : scale == SCALE_MONTH ? "YYYY-MM" : "YYYY-MM-DD", -1);
  else campDbBindText(st, 2, scale == SCALE_HOUR ? "%Y-%m-%d %H" : scale == SCALE_MONTH ? "%Y-%m" : "%Y-%m-%d", -1);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    int64_t at = campDbColumnInt64(st, 0), i = at >= origin ? campStoreBucketIndex(scale, origin, at) : -1;
    if (i < 0 || i >= nb) continue;
    if (visits) { bk[i].n[B_VISITS] += campDbColumnInt64(st, 1); continue; }
    for (int k = B_VISITORS; k < NB_COUNT; k++) bk[i].n[k] += campDbColumnInt64(st, k);
    bk[i].revenue += campDbColumnDouble(st, NB_COUNT);
  }
  return campDbFinish(st, rc, err, errSize);
}

/* The range of the hits' times: *from, *to (INT64_MAX, INT64_MIN when none). */
static int hitRange(Engine *e, int initiative, const char *key, int64_t *from, int64_t *to, char *err, size_t errSize) {
  DbStmt *st = prepareOn(e, initiative, key, "SELECT min(h.at), max(h.at) FROM camp_hit h WHERE %s AND " HUMAN, err, errSize);
  if (!st) return -1;
  int rc = campDbStep(st);
  *from = INT64_MAX;
  *to = INT64_MIN;
  if (rc == DB_ROW && campDbColumnType(st, 0) != DB_NULL) {
    *from = campDbColumnInt64(st, 0);
    *to = campDbColumnInt64(st, 1);
  }
  return campDbFinish(st, rc == DB_ROW ? DB_DONE : rc, err, errSize);
}

/* The series: every bucket of the scale from start (INT64_MIN: the first
** hit's) to end (INT64_MAX: the last hit's); visits count in the bucket of
** their first hit, the rest in their hit's.  A series longer than
** MAX_BUCKETS keeps its last ones ("truncated"). */
static json_t *seriesJson(Engine *e, int initiative, const char *key, int scale, int64_t start, int64_t end, char *err, size_t errSize) {
  int64_t from, to;
  if (hitRange(e, initiative, key, &from, &to, err, errSize) < 0) return NULL;
  if (start != INT64_MIN) from = start;
  if (end != INT64_MAX) to = end;
  if (start != INT64_MIN && end == INT64_MAX && to < from) to = from;
  if (end != INT64_MAX && start == INT64_MIN && from > to) from = to;
  json_t *buckets = json_array(), *s = json_pack("{s:s,s:n,s:n,s:b,s:o}", "scale", scale == SCALE_HOUR ? "hour" : scale == SCALE_MONTH ? "month" : "day",
                                                 "from", "to", "truncated", 0, "buckets", buckets);
  if (from > to) return s;
  int64_t origin = campStoreBucketStart(scale, from), nb = campStoreBucketIndex(scale, origin, to) + 1;
  if (nb > MAX_BUCKETS) {
    origin = campStoreBucketAt(scale, origin, nb - MAX_BUCKETS);
    nb = MAX_BUCKETS;
    json_object_set_new(s, "truncated", json_true());
  }
  Bucket *bk = calloc((size_t)nb, sizeof *bk);
  if (!bk) { snprintf(err, errSize, "out of memory"); json_decref(s); return NULL; }
  DbStmt *st = prepareOn(e, initiative, key,
    "SELECT min(h.at), count(DISTINCT coalesce(h.visitor, h.model || ':' || h.record_id)), " Q_COUNT("h.name = 'visit'") ","
    " " Q_COUNT("h.name <> 'visit'") ", sum(" GOAL "), coalesce(sum(CASE WHEN " GOAL " = 1 THEN h.value END), 0.0)"
    FROM_HITS "%s AND " HUMAN " GROUP BY %h", err, errSize);
  int rc = st ? addRows(e, st, scale, origin, nb, bk, 0, err, errSize) : -1;
  if (rc == 0) {
    st = prepareOn(e, initiative, key,
      "SELECT min(v.first_at), count(*) FROM camp_visit v WHERE v.bot = 0 AND v.id IN (SELECT h.visit FROM camp_hit h WHERE %s AND "
      HUMAN ") GROUP BY %v", err, errSize);
    rc = st ? addRows(e, st, scale, origin, nb, bk, 1, err, errSize) : -1;
  }
  if (rc < 0) { free(bk); json_decref(s); return NULL; }
  for (int64_t b = 0; b < nb; b++) {
    char label[CAMP_CLOCK_ISO_SIZE];
    campStoreBucketLabel(scale, campStoreBucketAt(scale, origin, b), label);
    json_t *o = json_pack("{s:s}", "bucket", label);
    for (int k = 0; k < NB_COUNT; k++) json_object_set_new(o, BCOUNTS[k], json_integer(bk[b].n[k]));
    json_object_set_new(o, "revenue", json_real(round4(bk[b].revenue)));
    json_array_append_new(buckets, o);
    if (b == 0) json_object_set_new(s, "from", json_string(label));
    if (b == nb - 1) json_object_set_new(s, "to", json_string(label));
  }
  free(bk);
  return s;
}

/* The budget per unit, null without a budget or without any unit. */
static json_t *per(const json_t *budget, json_int_t units) {
  if (!json_is_real(budget) || units <= 0) return json_null();
  return json_real(round4(json_real_value(budget) / (double)units));
}

json_t *campStoreWebReport(Engine *e, int initiative, const char *key, int scale, int64_t start, int64_t end, const json_t *budget,
                           char *err, size_t errSize) {
  json_t *web = json_object(), *ev = NULL, *s = NULL;
  if (totals(e, initiative, key, web, err, errSize) < 0 || !(ev = eventsJson(e, initiative, key, err, errSize)) ||
      !(s = seriesJson(e, initiative, key, scale, start, end, err, errSize))) {
    json_decref(ev);
    json_decref(web);
    return NULL;
  }
  json_object_set_new(web, "by_name", ev);
  if (initiative) {
    json_int_t visits = json_integer_value(json_object_get(web, "visits"));
    json_int_t conv = json_integer_value(json_object_get(web, "conversions"));
    double revenue = json_real_value(json_object_get(web, "revenue"));
    json_object_set_new(web, "cost_per_visit", per(budget, visits));
    json_object_set_new(web, "cost_per_conversion", per(budget, conv));
    json_object_set_new(web, "return", json_is_real(budget) && json_real_value(budget) > 0
                                         ? json_real(round4((revenue - json_real_value(budget)) / json_real_value(budget)))
                                         : json_null());
  }
  json_object_set_new(web, "series", s);
  return web;
}

/* -- camp report --website ------------------------------------------------------------ */

/* The website's head: name, title, site_id, url, target, initiative, code,
** goals; NULL with the message in err (an unknown website says so). */
static json_t *websiteHead(Engine *e, const char *key, char *err, size_t errSize) {
  char *site;
  if (campStoreVisitsSite(e, key, &site, err, errSize)) return NULL;
  DbStmt *st = campDbPrepare(e->conn, "SELECT name, title, site_id, url, model, initiative, code, goals FROM camp_website WHERE site_id = ?",
                                      err, errSize);
  if (!st) { free(site); return NULL; }
  campDbBindText(st, 1, site, -1);
  int rc = campDbStep(st);
  json_t *w = NULL;
  if (rc == DB_ROW) {
    w = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "name", campStoreDbColumnText(st, 0), "title", campStoreDbColumnText(st, 1),
                  "site_id", campStoreDbColumnText(st, 2), "url", campStoreDbColumnText(st, 3), "target", campStoreDbColumnText(st, 4),
                  "initiative", campStoreDbColumnText(st, 5), "code", campStoreDbColumnText(st, 6));
    json_t *goals = json_array();
    const char *g = campDbColumnText(st, 7);
    while (g && *g) {
      size_t n = strcspn(g, "\n");
      json_array_append_new(goals, json_stringn(g, n));
      g += n + (g[n] == '\n');
    }
    json_object_set_new(w, "goals", goals);
  } else if (rc == DB_DONE) snprintf(err, errSize, "no website is named '%s' or has it as its site_id", key);
  else snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  free(site);
  return w;
}

/* A count of an object as "%lld". */
static long long count(const json_t *o, const char *key) { return (long long)json_integer_value(json_object_get(o, key)); }

void campStoreWebReportPrint(const json_t *web, const char *indent, FILE *out) {
  fprintf(out, "%svisits %lld (bots apart: %lld), unique visitors %lld, page views %lld, events %lld, conversions %lld, revenue %.2f\n",
          indent, count(web, "visits"), count(web, "bot_visits"), count(web, "unique_visitors"), count(web, "page_views"),
          count(web, "events"), count(web, "conversions"), json_real_value(json_object_get(web, "revenue")));
  size_t i;
  const json_t *o;
  json_array_foreach(json_object_get(web, "by_name"), i, o)
    fprintf(out, "%s  %-24s %10lld  value %.2f%s\n", indent, json_string_value(json_object_get(o, "name")), count(o, "count"),
            json_real_value(json_object_get(o, "value")), json_is_true(json_object_get(o, "goal")) ? "  (goal)" : "");
  const json_t *s = json_object_get(web, "series");
  fprintf(out, "%sseries by %s (buckets with nothing left out):\n%s  %-18s %8s %8s %10s %8s %11s %10s\n", indent,
          json_string_value(json_object_get(s, "scale")), indent, "bucket", "visits", "visitors", "page_views", "events", "conversions",
          "revenue");
  json_array_foreach(json_object_get(s, "buckets"), i, o) {
    if (!count(o, "visits") && !count(o, "page_views") && !count(o, "events")) continue;
    fprintf(out, "%s  %-18s %8lld %8lld %10lld %8lld %11lld %10.2f\n", indent, json_string_value(json_object_get(o, "bucket")),
            count(o, "visits"), count(o, "visitors"), count(o, "page_views"), count(o, "events"), count(o, "conversions"),
            json_real_value(json_object_get(o, "revenue")));
  }
}

int campStoreReportWebsite(Engine *e, const char *key, int scale, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  json_t *w = websiteHead(e, key, err, errSize);
  if (!w) return -1;
  json_t *web = campStoreWebReport(e, 0, json_string_value(json_object_get(w, "site_id")), scale ? scale : SCALE_DAY, INT64_MIN,
                                   INT64_MAX, NULL, err, errSize);
  if (!web) { json_decref(w); return -1; }
  json_object_set_new(w, "web", web);
  char now[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(campEngineNow(e), now);
  /* the campaign report's shape (docs/report.schema.json): no campaign */
  json_t *root = json_pack("{s:i,s:s,s:s,s:o,s:[]}", "version", CAMP_REPORT_VERSION, "at", now, "clock",
                           campEngineIsSimulated(e) ? "simulated" : "real", "website", w, "campaigns");
  int rc = 0;
  if (fmt == REPORT_JSON || fmt == REPORT_HTML) rc = campStoreReportWrite(root, fmt, out, err, errSize);
  else {
    const char *title = json_string_value(json_object_get(w, "title"));
    fprintf(out, "website %s \"%s\" (site_id %s, %s)\n", json_string_value(json_object_get(w, "name")), title ? title : "",
            json_string_value(json_object_get(w, "site_id")), json_string_value(json_object_get(w, "url")));
    campStoreWebReportPrint(web, "  ", out);
  }
  json_decref(root);
  return rc;
}
