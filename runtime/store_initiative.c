/*
** runtime/store_initiative.c -- initiatives: Oro's marketing campaigns,
** the grouping above mailings and automation campaigns.
**
** Owns: deploying an image's initiatives (camp_initiative upserted, each
** property that changed printed as plan prints a campaign's), their code
** history (camp_code: a code that is, or ever was, another initiative's is
** refused and the deploy fails; a changed code retires the old one, which
** still finds the initiative), the membership of the image's campaigns and
** mailings (camp_campaign.initiative); `camp initiatives`; and `camp report
** --initiative`: the campaign report's own document (store_report.c) of
** the members, with the initiative on top -- per member and in total its
** sends, opens, clicks, replies, bounces and unsubscribes (added up from
** that document, so they agree with the per-campaign reports by
** construction), cost per send and per click, and the series of sends and
** events in the initiative's report scale.  Does not own: the campaign
** numbers (store_report.c, store_counts.c) or the page (report_html.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/clock.h"
#include "runtime/plan.h"
#include "runtime/report_html.h"   /* CAMP_REPORT_JSON_REALS */
#include "runtime/store_engine.h"

/* The counts an initiative adds up, in the report's words: per member, in
** total and per bucket of the series. */
static const char *const COUNTS[] = { "sent", "opened", "clicked", "replied", "bounced", "unsubscribed" };
#define NCOUNT 6
#define MAX_BUCKETS 10000          /* a longer series keeps its last MAX_BUCKETS buckets */

static const char *scaleName(int scale) { return scale == SCALE_HOUR ? "hour" : scale == SCALE_MONTH ? "month" : "day"; }

/* A budget in hundredths as "5000.50 EUR" (the currency may be NULL). */
static void budgetText(int64_t budget, const char *currency, char *out, size_t size) {
  snprintf(out, size, "%lld.%02lld%s%s", (long long)(budget / 100), (long long)(budget % 100), currency ? " " : "",
           currency ? currency : "");
}

/* -- deploy --------------------------------------------------------------------- */

/* One property of an initiative as plan compares it: its text now and in
** the image (NULL: none). */
typedef struct Prop { const char *field; char *old; const char *neu; } Prop;

enum { P_TITLE, P_CODE, P_START, P_END, P_BUDGET, P_DESCRIPTION, P_SCALE, NPROP };

/* The properties of initiative i of p, new and (when deployed) old, as
** text.  *found: it is deployed.  The strings in props[].old are malloc'd
** (propsFree); the new ones point into p or into bufs. */
static int loadProps(Engine *e, const Program *p, const ProgInitiative *in, Prop props[NPROP],
                     char bufs[3][CAMP_CLOCK_ISO_SIZE + 16], int *found, char *err, size_t errSize) {
  static const char *const fields[NPROP] = { "title", "code", "start", "end", "budget", "description", "scale" };
  memset(props, 0, NPROP * sizeof *props);
  for (int i = 0; i < NPROP; i++) props[i].field = fields[i];
  props[P_TITLE].neu = p->str[in->title];
  props[P_CODE].neu = p->str[in->code];
  if (in->start) { campClockFormat(in->start, bufs[0]); props[P_START].neu = bufs[0]; }
  if (in->end) { campClockFormat(in->end, bufs[1]); props[P_END].neu = bufs[1]; }
  if (in->budget >= 0) {
    budgetText(in->budget, in->currency != CAMP_NONE ? p->str[in->currency] : NULL, bufs[2], sizeof bufs[2]);
    props[P_BUDGET].neu = bufs[2];
  }
  props[P_DESCRIPTION].neu = in->description != CAMP_NONE ? p->str[in->description] : NULL;
  props[P_SCALE].neu = scaleName(in->scale);
  DbStmt *st = campDbPrepare(e->conn, "SELECT title, code, start_at, end_at, budget, currency, description, scale "
                                         "FROM camp_initiative WHERE name = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, p->str[in->name], -1);
  int rc = campDbStep(st);
  *found = rc == DB_ROW;
  if (*found) {
    char t[CAMP_CLOCK_ISO_SIZE + 16];
    for (int i = 0; i < NPROP; i++) {
      int col = i == P_DESCRIPTION ? 6 : i == P_SCALE ? 7 : i;
      if (campDbColumnType(st, col) == DB_NULL) continue;
      const char *s = campDbColumnText(st, col);
      if (i == P_START || i == P_END) { campClockFormat(campDbColumnInt64(st, col), t); s = t; }
      if (i == P_BUDGET) { budgetText(campDbColumnInt64(st, 4), campStoreDbTextOrNull(st, 5), t, sizeof t); s = t; }
      if (!(props[i].old = strdup(s ? s : ""))) { campDbFinalize(st); snprintf(err, errSize, "out of memory"); return -1; }
    }
    rc = campDbStep(st);
  }
  return campDbFinish(st, rc, err, errSize);
}

static void propsFree(Prop props[NPROP]) {
  for (int i = 0; i < NPROP; i++) free(props[i].old);
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* Make code the current code of initiative name in camp_code: refused
** (-1, the message names the initiative that has or had it, and when) when
** it is or was another's; the initiative's other current code retires at
** now.  *retired gets how many codes retired. */
static int claimCode(Engine *e, const char *name, const char *code, int64_t now, int *retired, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT initiative, since, until FROM camp_code WHERE code = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, code, -1);
  int rc = campDbStep(st), known = rc == DB_ROW, current = 0;
  if (known) {
    const char *owner = campDbColumnText(st, 0);
    current = campDbColumnType(st, 2) == DB_NULL;
    if (strcmp(owner, name)) {
      char since[CAMP_CLOCK_ISO_SIZE], until[CAMP_CLOCK_ISO_SIZE];
      campClockFormat(campDbColumnInt64(st, 1), since);
      campClockFormat(campDbColumnInt64(st, 2), until);
      if (current) snprintf(err, errSize, "initiative '%s': the code \"%s\" is taken: initiative '%s' has it since %s "
                                          "(a code is never reused)", name, code, owner, since);
      else snprintf(err, errSize, "initiative '%s': the code \"%s\" is taken: initiative '%s' had it from %s until %s "
                                  "(a code is never reused, even after it changed)", name, code, owner, since, until);
      campDbFinalize(st);
      return -1;
    }
    rc = campDbStep(st);
  }
  if (campDbFinish(st, rc, err, errSize) < 0) return -1;
  *retired = 0;
  if (current) return 0;
  if (campStoreDbRun(e, "UPDATE camp_code SET until = ? WHERE initiative = ? AND until IS NULL", "it", now, name) < 0)
    return campStoreConnError(e, err, errSize);
  *retired = campDbChanges(e->conn);
  /* an old code of its own comes back: current again from now */
  if (campStoreDbRun(e, known ? "UPDATE camp_code SET since = ?3, until = NULL WHERE code = ?1 AND initiative = ?2"
                            : "INSERT INTO camp_code(code, initiative, since) VALUES(?1, ?2, ?3)", "tti", code, name, now) < 0)
    return campStoreConnError(e, err, errSize);
  return 0;
}

static int storeInitiative(Engine *e, const Program *p, const ProgInitiative *in, int64_t now, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn,
    "INSERT INTO camp_initiative(name, title, code, start_at, end_at, budget, currency, description, scale, deployed_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(name) DO UPDATE SET title = ?2, code = ?3, start_at = ?4, "
    "end_at = ?5, budget = ?6, currency = ?7, description = ?8, scale = ?9, deployed_at = ?10", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, p->str[in->name], -1);
  campDbBindText(st, 2, p->str[in->title], -1);
  campDbBindText(st, 3, p->str[in->code], -1);
  if (in->start) campDbBindInt64(st, 4, in->start);
  if (in->end) campDbBindInt64(st, 5, in->end);
  if (in->budget >= 0) campDbBindInt64(st, 6, in->budget);
  if (in->currency != CAMP_NONE) campDbBindText(st, 7, p->str[in->currency], -1);
  if (in->description != CAMP_NONE) campDbBindText(st, 8, p->str[in->description], -1);
  campDbBindText(st, 9, scaleName(in->scale), -1);
  campDbBindInt64(st, 10, now);
  int rc = campDbStep(st);
  campDbFinalize(st);
  return rc == DB_DONE ? 0 : campStoreConnError(e, err, errSize);
}

/* One initiative of the image: added, changed (each property old -> new)
** or unchanged, with its code claimed in the history. */
static int deployInitiative(Engine *e, const Program *p, const ProgInitiative *in, const Plan *pl, DeployStats *stats,
                            char *err, size_t errSize) {
  Prop props[NPROP];
  char bufs[3][CAMP_CLOCK_ISO_SIZE + 16];
  int found, retired = 0, changed = 0;
  const char *name = p->str[in->name], *code = p->str[in->code];
  int64_t now = campEngineNow(e);
  int rc = loadProps(e, p, in, props, bufs, &found, err, errSize);
  if (rc == 0) rc = claimCode(e, name, code, now, &retired, err, errSize);
  for (int i = 0; rc == 0 && i < NPROP; i++) changed |= !same(props[i].old, props[i].neu);
  if (rc == 0 && (!found || changed)) rc = storeInitiative(e, p, in, now, err, errSize);
  if (rc == 0 && !found) {
    campPlanLine(pl, 0, '+', "initiative %s (new, code \"%s\")", name, code);
    stats->add++;
  } else if (rc == 0 && changed) {
    campPlanLine(pl, 0, '~', "initiative %s", name);
    for (int i = 0; i < NPROP; i++) {
      if (same(props[i].old, props[i].neu)) continue;
      campPlanField(pl, 4, props[i].field, props[i].old, props[i].old ? strlen(props[i].old) : 0, props[i].neu,
                    props[i].neu ? strlen(props[i].neu) : 0);
      if (i == P_CODE && retired)
        campPlanLine(pl, 6, 0, "\"%s\" retired: it still finds %s in reports, and no other initiative may take it", props[i].old, name);
    }
    stats->change++;
  } else if (rc == 0) campPlanLine(pl, 0, 0, "initiative %s: no changes (code \"%s\")", name, code);
  propsFree(props);
  return rc;
}

int campStoreDeployInitiatives(Engine *e, const Program *p, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize) {
  Plan pl = { o->out, o->color };
  for (uint32_t i = 0; i < p->ninit; i++) if (deployInitiative(e, p, &p->inits[i], &pl, stats, err, errSize) < 0) return -1;
  /* every campaign and mailing of the image names its initiative, or none */
  for (uint32_t c = 0; c < p->ncamp; c++) {
    uint32_t in = p->camps[c].initiative;
    if (campStoreDbRun(e, "UPDATE camp_campaign SET initiative = ?1 WHERE name = ?2 AND initiative IS DISTINCT FROM ?1", "tt",
                     in != CAMP_NONE && in < p->ninit ? p->str[p->inits[in].name] : NULL, p->str[p->camps[c].name]) < 0)
      return campStoreConnError(e, err, errSize);
  }
  return 0;
}

/* -- what an initiative is: camp initiatives, and the report's head --------------- */

/* Every code the initiative had, oldest first: code, since, until (null:
** current). */
static json_t *codesJson(Engine *e, const char *name, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT code, since, until FROM camp_code WHERE initiative = ? "
                                         "ORDER BY until IS NULL, since, until, code", err, errSize);
  if (!st) return NULL;
  campDbBindText(st, 1, name, -1);
  json_t *codes = json_array();
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW)
    json_array_append_new(codes, json_pack("{s:o,s:o,s:o}", "code", campStoreDbColumnText(st, 0), "since", campStoreDbColumnTime(st, 1),
                                           "until", campStoreDbColumnTime(st, 2)));
  if (campDbFinish(st, rc, err, errSize) < 0) { json_decref(codes); return NULL; }
  return codes;
}

/* The members: every deployed campaign and mailing naming the
** initiative, by name (name, kind, title, state). */
static json_t *membersJson(Engine *e, const char *name, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT name, kind, title, state FROM camp_campaign WHERE initiative = ? ORDER BY name",
                                      err, errSize);
  if (!st) return NULL;
  campDbBindText(st, 1, name, -1);
  json_t *m = json_array();
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW)
    json_array_append_new(m, json_pack("{s:o,s:o,s:o,s:o}", "name", campStoreDbColumnText(st, 0), "kind", campStoreDbColumnText(st, 1),
                                       "title", campStoreDbColumnText(st, 2), "state", campStoreDbColumnText(st, 3)));
  if (campDbFinish(st, rc, err, errSize) < 0) { json_decref(m); return NULL; }
  return m;
}

#define INITIATIVE_COLUMNS "name, title, code, start_at, end_at, budget, currency, description, scale, deployed_at"

/* An initiative row (INITIATIVE_COLUMNS) as JSON with its codes, or NULL
** with the message in err.  The budget is in the currency (two decimals). */
static json_t *initiativeJson(Engine *e, DbStmt *row, char *err, size_t errSize) {
  const char *name = campDbColumnText(row, 0);
  json_t *codes = codesJson(e, name, err, errSize);
  if (!codes) return NULL;
  json_t *budget = campDbColumnType(row, 5) == DB_NULL ? json_null() : json_real((double)campDbColumnInt64(row, 5) / 100.0);
  return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "name", name, "title", campStoreDbColumnText(row, 1),
                   "code", campStoreDbColumnText(row, 2), "codes", codes, "start", campStoreDbColumnTime(row, 3),
                   "end", campStoreDbColumnTime(row, 4), "budget", budget, "currency", campStoreDbColumnText(row, 6),
                   "description", campStoreDbColumnText(row, 7), "scale", campStoreDbColumnText(row, 8),
                   "deployed_at", campStoreDbColumnTime(row, 9));
}

/* The past codes of an initiative's JSON, "A (since .. until), B (...)",
** or "none", on out. */
static void pastCodes(const json_t *in, FILE *out) {
  size_t i, n = 0;
  const json_t *c;
  json_array_foreach(json_object_get(in, "codes"), i, c) {
    if (!json_is_string(json_object_get(c, "until"))) continue;
    fprintf(out, "%s%s (%s .. %s)", n++ ? ", " : "", json_string_value(json_object_get(c, "code")),
            json_string_value(json_object_get(c, "since")), json_string_value(json_object_get(c, "until")));
  }
  if (!n) fputs("none", out);
}

/* An ISO time of the JSON, or "open" for null. */
static const char *timeOr(const json_t *o, const char *key, const char *none) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : none;
}

/* The head of an initiative as text: title, code and past codes, period,
** budget, scale, description. */
static void printHead(const json_t *in, FILE *out) {
  const json_t *budget = json_object_get(in, "budget");
  fprintf(out, "initiative %s \"%s\": code %s\n", json_string_value(json_object_get(in, "name")),
          json_string_value(json_object_get(in, "title")), json_string_value(json_object_get(in, "code")));
  fputs("  past codes: ", out);
  pastCodes(in, out);
  fprintf(out, "\n  period: %s .. %s\n", timeOr(in, "start", "open"), timeOr(in, "end", "open"));
  if (json_is_real(budget)) fprintf(out, "  budget: %.2f %s\n", json_real_value(budget), timeOr(in, "currency", ""));
  else fputs("  budget: none\n", out);
  fprintf(out, "  scale: %s\n", json_string_value(json_object_get(in, "scale")));
  if (json_is_string(json_object_get(in, "description"))) fprintf(out, "  description: %s\n", json_string_value(json_object_get(in, "description")));
}

int campStoreInitiatives(Engine *e, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT " INITIATIVE_COLUMNS " FROM camp_initiative ORDER BY name", err, errSize);
  if (!st) return -1;
  json_t *list = json_array(), *root = json_pack("{s:o}", "initiatives", list);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    json_t *in = initiativeJson(e, st, err, errSize), *m = in ? membersJson(e, json_string_value(json_object_get(in, "name")), err, errSize) : NULL;
    if (!m) { json_decref(in); campDbFinalize(st); json_decref(root); return -1; }
    json_object_set_new(in, "members", m);
    json_array_append_new(list, in);
  }
  if (campDbFinish(st, rc, err, errSize) < 0) { json_decref(root); return -1; }
  if (fmt == REPORT_JSON) {
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | CAMP_REPORT_JSON_REALS);
    fputc('\n', out);
  } else {
    size_t i, j;
    const json_t *in, *m;
    if (!json_array_size(list)) fputs("no initiative is deployed\n", out);
    json_array_foreach(list, i, in) {
      if (i) fputc('\n', out);
      printHead(in, out);
      fputs("  members:", out);
      json_array_foreach(json_object_get(in, "members"), j, m)
        fprintf(out, "%s %s %s", j ? "," : "", json_string_value(json_object_get(m, "kind")), json_string_value(json_object_get(m, "name")));
      fputs(json_array_size(json_object_get(in, "members")) ? "\n" : " none\n", out);
    }
  }
  json_decref(root);
  return 0;
}

/* -- the report ------------------------------------------------------------------- */

int campStoreInitiativeResolve(Engine *e, const char *key, char **name, char *err, size_t errSize) {
  /* a name first: a code may be spelled as another initiative's name */
  DbStmt *st = campDbPrepare(e->conn, "SELECT name, 0 FROM camp_initiative WHERE name = ?1 "
                                         "UNION ALL SELECT initiative, 1 FROM camp_code WHERE code = ?1 ORDER BY 2 LIMIT 1", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, key, -1);
  int rc = campDbStep(st);
  *name = NULL;
  if (rc == DB_ROW) {
    *name = strdup(campDbColumnText(st, 0));
    rc = *name ? DB_DONE : DB_FAIL;
  }
  if (campDbFinish(st, rc, err, errSize) < 0) { free(*name); *name = NULL; return -1; }
  if (*name) return 0;
  snprintf(err, errSize, "no initiative is named '%s' or has or had it as its code (camp initiatives lists them)", key);
  return 1;
}

/* The members' numbers from the campaign report's document: per member
** its counts (sent and the events: summed over its email and SMS
** activities; unsubscribed: the campaign's unsubscribes), in *totals their
** sums. */
static json_t *memberCounts(const json_t *camps, json_int_t totals[NCOUNT]) {
  json_t *members = json_array();
  size_t i, j;
  const json_t *c, *a;
  memset(totals, 0, NCOUNT * sizeof *totals);
  json_array_foreach(camps, i, c) {
    json_t *m = json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(c, "name"), "kind", json_object_get(c, "kind"),
                          "title", json_object_get(c, "title"), "state", json_object_get(c, "state"), "enrolled", json_object_get(c, "enrolled"));
    for (int k = 0; k < NCOUNT; k++) {
      json_int_t n = 0;
      if (k == NCOUNT - 1) n = json_integer_value(json_object_get(c, "unsubscribes"));
      else json_array_foreach(json_object_get(c, "activities"), j, a) n += json_integer_value(json_object_get(a, COUNTS[k]));
      json_object_set_new(m, COUNTS[k], json_integer(n));
      totals[k] += n;
    }
    json_array_append_new(members, m);
  }
  return members;
}

/* The budget spent per unit, rounded to 4 decimals; null without a budget
** or without any. */
static json_t *cost(const json_t *budget, json_int_t units) {
  if (!json_is_real(budget) || units <= 0) return json_null();
  double v = json_real_value(budget) / (double)units;
  return json_real((double)(int64_t)(v * 10000.0 + 0.5) / 10000.0);
}

/* -- the series ---------------------------------------------------------------------- */

/* A bucket of the scale: the start of the one holding t, and its index
** counted from the bucket holding origin (a bucket start).  The web
** numbers' series (store_webreport.c) use the same buckets. */
int64_t campStoreBucketStart(int scale, int64_t t) {
  if (scale == SCALE_HOUR) return t - ((t % 3600) + 3600) % 3600;
  if (scale == SCALE_DAY) return t - ((t % 86400) + 86400) % 86400;
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  return campClockFromCivil(tm.tm_year + 1900, tm.tm_mon + 1, 1);
}

int64_t campStoreBucketIndex(int scale, int64_t origin, int64_t t) {
  int64_t b = campStoreBucketStart(scale, t);
  if (scale == SCALE_HOUR) return (b - origin) / 3600;
  if (scale == SCALE_DAY) return (b - origin) / 86400;
  time_t t0 = (time_t)origin, t1 = (time_t)b;
  struct tm a, z;
  gmtime_r(&t0, &a);
  gmtime_r(&t1, &z);
  return ((int64_t)z.tm_year * 12 + z.tm_mon) - ((int64_t)a.tm_year * 12 + a.tm_mon);
}

/* The start of bucket i after origin. */
int64_t campStoreBucketAt(int scale, int64_t origin, int64_t i) {
  if (scale == SCALE_HOUR) return origin + i * 3600;
  if (scale == SCALE_DAY) return origin + i * 86400;
  time_t t0 = (time_t)origin;
  struct tm a;
  gmtime_r(&t0, &a);
  int64_t m = (int64_t)a.tm_mon + i;
  return campClockFromCivil(a.tm_year + 1900 + m / 12, (int)(m % 12) + 1, 1);
}

/* Its label, as oro.md says: hour "2026-03-20 09:00", day "2026-03-20",
** month "2026-03-01". */
void campStoreBucketLabel(int scale, int64_t start, char out[CAMP_CLOCK_ISO_SIZE]) {
  campClockFormat(start, out);
  if (scale == SCALE_HOUR) { out[10] = ' '; out[16] = 0; }
  else out[10] = 0;
}

/* One count of the series: kind (index in COUNTS), the hour it fell in, n. */
typedef struct Point { int kind; int64_t hour, n; } Point;

/* Every send and first event of the members' messages, counted per hour
** (test participants never count).  A message counts once per kind, at
** the first event that implies it (a click implies an open, a reply a
** click), and only when the report counts it too: its trace carries the
** event's bit (an event on a stopped campaign is stored, not counted);
** an unsubscribe counts once per message as the report's does.  *pts
** malloc'd. */
static int seriesPoints(Engine *e, const char *name, Point **pts, size_t *n, char *err, size_t errSize) {
#define MEMBER_TRACES " JOIN camp_participant pa ON pa.id = t.participant JOIN camp_campaign c ON c.id = pa.campaign" \
                      " WHERE c.initiative = ?1 AND pa.test = 0"
#define FIRST(KIND, BIT, AT) " UNION ALL SELECT " KIND ", " AT " / 3600, count(*) FROM f WHERE " AT " IS NOT NULL" BIT " GROUP BY 2"
  DbStmt *st = campDbPrepare(e->conn,
    "WITH f AS (SELECT t.events AS bits,"
    " min(CASE WHEN ev.kind IN ('open', 'click', 'reply') THEN ev.at END) AS o,"
    " min(CASE WHEN ev.kind IN ('click', 'reply') THEN ev.at END) AS k,"
    " min(CASE WHEN ev.kind = 'reply' THEN ev.at END) AS r,"
    " min(CASE WHEN ev.kind = 'bounce' THEN ev.at END) AS b,"
    " min(CASE WHEN ev.kind = 'unsubscribe' THEN ev.at END) AS u"
    " FROM camp_event ev JOIN camp_trace t ON t.id = ev.trace" MEMBER_TRACES " GROUP BY t.id)"
    " SELECT 0, t.done_at / 3600, count(*) FROM camp_trace t" MEMBER_TRACES
    " AND t.state = " Q_PROCESSED " AND t.message_id IS NOT NULL GROUP BY 2"
    FIRST("1", " AND (bits & " Q_EV_OPEN ") <> 0", "o") FIRST("2", " AND (bits & " Q_EV_CLICK ") <> 0", "k")
    FIRST("3", " AND (bits & " Q_EV_REPLY ") <> 0", "r") FIRST("4", " AND (bits & " Q_EV_BOUNCE ") <> 0", "b") FIRST("5", "", "u"), err, errSize);
#undef FIRST
#undef MEMBER_TRACES
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  size_t cap = 0;
  *pts = NULL;
  *n = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      Point *v = realloc(*pts, (cap = cap ? cap * 2 : 64) * sizeof *v);
      if (!v) { campDbFinalize(st); free(*pts); *pts = NULL; snprintf(err, errSize, "out of memory"); return -1; }
      *pts = v;
    }
    (*pts)[(*n)++] = (Point){ (int)campDbColumnInt64(st, 0), campDbColumnInt64(st, 1), campDbColumnInt64(st, 2) };
  }
  if (campDbFinish(st, rc, err, errSize) < 0) { free(*pts); *pts = NULL; return -1; }
  return 0;
}

/* The series: every bucket of the scale from the period's start (else the
** first send or event) to its end (else the last one), each with its
** counts; the buckets holding the start and the end count whole.  A
** series longer than MAX_BUCKETS keeps its last ones ("truncated"). */
static json_t *seriesJson(Engine *e, const char *name, int scale, const json_t *in, char *err, size_t errSize) {
  Point *pts;
  size_t n;
  if (seriesPoints(e, name, &pts, &n, err, errSize) < 0) return NULL;
  int64_t from = INT64_MAX, to = INT64_MIN;
  for (size_t i = 0; i < n; i++) {
    if (pts[i].hour * 3600 < from) from = pts[i].hour * 3600;
    if (pts[i].hour * 3600 > to) to = pts[i].hour * 3600;
  }
  const char *start = json_string_value(json_object_get(in, "start")), *end = json_string_value(json_object_get(in, "end"));
  if (start) campClockParseIso(start, &from);
  if (end) campClockParseIso(end, &to);
  if (start && !end && to < from) to = from;        /* everything came before the start, or nothing */
  if (end && !start && from > to) from = to;
  json_t *buckets = json_array(), *s = json_pack("{s:s,s:n,s:n,s:b,s:o}", "scale", scaleName(scale), "from", "to", "truncated", 0,
                                                 "buckets", buckets);
  if (from > to) { free(pts); return s; }             /* nothing sent, no period */
  int64_t origin = campStoreBucketStart(scale, from), nb = campStoreBucketIndex(scale, origin, to) + 1;
  if (nb > MAX_BUCKETS) {
    origin = campStoreBucketAt(scale, origin, nb - MAX_BUCKETS);
    nb = MAX_BUCKETS;
    json_object_set_new(s, "truncated", json_true());
  }
  int64_t (*counts)[NCOUNT] = calloc((size_t)nb, sizeof *counts);
  if (!counts) { free(pts); json_decref(s); snprintf(err, errSize, "out of memory"); return NULL; }
  for (size_t i = 0; i < n; i++) {
    int64_t b = pts[i].hour * 3600 >= origin ? campStoreBucketIndex(scale, origin, pts[i].hour * 3600) : -1;
    if (b >= 0 && b < nb) counts[b][pts[i].kind] += pts[i].n;
  }
  for (int64_t b = 0; b < nb; b++) {
    char label[CAMP_CLOCK_ISO_SIZE];
    campStoreBucketLabel(scale, campStoreBucketAt(scale, origin, b), label);
    json_t *o = json_pack("{s:s}", "bucket", label);
    for (int k = 0; k < NCOUNT; k++) json_object_set_new(o, COUNTS[k], json_integer(counts[b][k]));
    json_array_append_new(buckets, o);
    if (b == 0) json_object_set_new(s, "from", json_string(label));
    if (b == nb - 1) json_object_set_new(s, "to", json_string(label));
  }
  free(counts);
  free(pts);
  return s;
}

/* The initiative of a report (see the file comment), or NULL with the
** message in err. */
static json_t *reportHead(Engine *e, const char *name, const json_t *camps, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT " INITIATIVE_COLUMNS " FROM camp_initiative WHERE name = ?", err, errSize);
  if (!st) return NULL;
  campDbBindText(st, 1, name, -1);
  int rc = campDbStep(st);
  json_t *in = rc == DB_ROW ? initiativeJson(e, st, err, errSize) : NULL;
  if (rc != DB_ROW) snprintf(err, errSize, "initiative '%s' has codes but is not deployed", name);
  campDbFinalize(st);
  if (!in) return NULL;
  const char *scale = json_string_value(json_object_get(in, "scale"));
  json_int_t totals[NCOUNT];
  json_object_set_new(in, "members", memberCounts(camps, totals));
  json_t *t = json_object();
  for (int k = 0; k < NCOUNT; k++) json_object_set_new(t, COUNTS[k], json_integer(totals[k]));
  json_object_set_new(in, "totals", t);
  json_object_set_new(in, "cost_per_send", cost(json_object_get(in, "budget"), totals[0]));
  json_object_set_new(in, "cost_per_click", cost(json_object_get(in, "budget"), totals[2]));
  int sc = !strcmp(scale, "hour") ? SCALE_HOUR : !strcmp(scale, "month") ? SCALE_MONTH : SCALE_DAY;
  json_t *s = seriesJson(e, name, sc, in, err, errSize);
  if (!s) { json_decref(in); return NULL; }
  json_object_set_new(in, "series", s);
  /* its websites' hits, by its codes (store_webreport.c) */
  int64_t start = INT64_MIN, end = INT64_MAX;
  if (json_is_string(json_object_get(in, "start"))) campClockParseIso(json_string_value(json_object_get(in, "start")), &start);
  if (json_is_string(json_object_get(in, "end"))) campClockParseIso(json_string_value(json_object_get(in, "end")), &end);
  json_t *web = campStoreWebReport(e, 1, name, sc, start, end, json_object_get(in, "budget"), err, errSize);
  if (!web) { json_decref(in); return NULL; }
  json_object_set_new(in, "web", web);
  return in;
}

/* A cost as text: "12.50 EUR", "0.0125 EUR", or "n/a". */
static void costText(const json_t *v, const char *currency, FILE *out) {
  if (!json_is_real(v)) { fputs("n/a", out); return; }
  double c = json_real_value(v);
  fprintf(out, (int64_t)(c * 10000.0 + 0.5) % 100 ? "%.4f %s" : "%.2f %s", c, currency ? currency : "");
}

static void printReport(const json_t *in, FILE *out) {
  printHead(in, out);
  fprintf(out, "  %-22s %-8s", "member", "kind");
  for (int k = 0; k < NCOUNT; k++) fprintf(out, " %12s", COUNTS[k]);
  fputc('\n', out);
  size_t i;
  const json_t *m;
  json_array_foreach(json_object_get(in, "members"), i, m) {
    fprintf(out, "  %-22s %-8s", json_string_value(json_object_get(m, "name")), json_string_value(json_object_get(m, "kind")));
    for (int k = 0; k < NCOUNT; k++) fprintf(out, " %12lld", (long long)json_integer_value(json_object_get(m, COUNTS[k])));
    fputc('\n', out);
  }
  fprintf(out, "  %-22s %-8s", "total", "");
  for (int k = 0; k < NCOUNT; k++) fprintf(out, " %12lld", (long long)json_integer_value(json_object_get(json_object_get(in, "totals"), COUNTS[k])));
  const char *currency = json_string_value(json_object_get(in, "currency"));
  fputs("\n  cost per send: ", out);
  costText(json_object_get(in, "cost_per_send"), currency, out);
  fputs("; cost per click: ", out);
  costText(json_object_get(in, "cost_per_click"), currency, out);
  const json_t *s = json_object_get(in, "series");
  fprintf(out, "\n  series by %s, %s .. %s (buckets with nothing left out):\n", json_string_value(json_object_get(s, "scale")),
          timeOr(s, "from", "-"), timeOr(s, "to", "-"));
  fprintf(out, "  %-22s %-8s", "bucket", "");
  for (int k = 0; k < NCOUNT; k++) fprintf(out, " %12s", COUNTS[k]);
  fputc('\n', out);
  const json_t *b;
  json_array_foreach(json_object_get(s, "buckets"), i, b) {
    json_int_t any = 0;
    for (int k = 0; k < NCOUNT; k++) any |= json_integer_value(json_object_get(b, COUNTS[k]));
    if (!any) continue;
    fprintf(out, "  %-22s %-8s", json_string_value(json_object_get(b, "bucket")), "");
    for (int k = 0; k < NCOUNT; k++) fprintf(out, " %12lld", (long long)json_integer_value(json_object_get(b, COUNTS[k])));
    fputc('\n', out);
  }
  const json_t *web = json_object_get(in, "web");
  if (json_integer_value(json_object_get(web, "visits")) || json_integer_value(json_object_get(web, "bot_visits")) ||
      json_array_size(json_object_get(web, "by_name"))) {
    fputs("  web (hits with its codes):\n", out);
    campStoreWebReportPrint(web, "    ", out);
    fputs("    cost per visit: ", out);
    costText(json_object_get(web, "cost_per_visit"), currency, out);
    fputs("; cost per conversion: ", out);
    costText(json_object_get(web, "cost_per_conversion"), currency, out);
    const json_t *r = json_object_get(web, "return");
    if (json_is_real(r)) fprintf(out, "; return %.4f\n", json_real_value(r));
    else fputs("; return n/a\n", out);
  }
}

int campStoreReportInitiative(Engine *e, const char *key, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  char *name;
  if (campStoreInitiativeResolve(e, key, &name, err, errSize)) return -1;
  json_t *doc = campStoreReportDocument(e, NULL, name, err, errSize);
  json_t *in = doc ? reportHead(e, name, json_object_get(doc, "campaigns"), err, errSize) : NULL;
  free(name);
  if (!in) { json_decref(doc); return -1; }
  /* the initiative before its members' campaigns */
  json_t *root = json_pack("{s:O,s:O,s:O,s:o,s:O}", "version", json_object_get(doc, "version"), "at", json_object_get(doc, "at"),
                           "clock", json_object_get(doc, "clock"), "initiative", in, "campaigns", json_object_get(doc, "campaigns"));
  json_decref(doc);
  int rc = 0;
  if (fmt == REPORT_JSON || fmt == REPORT_HTML) rc = campStoreReportWrite(root, fmt, out, err, errSize);
  else printReport(in, out);
  json_decref(root);
  return rc;
}
