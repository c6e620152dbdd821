/*
** runtime/store_visit.c -- visits: hits grouped per visitor, contact and
** website with a 30-minute inactivity cut; camp visits and camp forget.
**
** Owns: grouping (campStoreVisitsGroup): every camp_hit row with visit IS
** NULL joins a camp_visit row of its key (site, visitor, model, record_id)
** -- the visit whose span it falls in or is at most VISIT_GAP seconds away
** from (last_at >= at - VISIT_GAP and first_at <= at + VISIT_GAP), else a
** new one -- and the visit's fields follow (first_at, last_at, pages: hits
** named 'visit', events: the others, referrer/code/source/medium of its
** first hit that has one, ip and ua_class of its first hit, bot when that
** class is 'bot'); listing visits (campStoreVisitsList) and erasing a
** contact's web traces (campStoreVisitsForget).  Does not own: recording
** hits (store_hit.c) or the web numbers of the reports (store_webreport.c).
**
** How: the hits are walked in key and time order through the partial
** index camp_hit_ungrouped, BATCH at a time; the open visits of the current
** key stay in memory (one per model: the index has no model column) and
** are written when a hit leaves them or the key changes.  A hit that fits
** none of them asks the database for a visit of its key that it fits (a
** visit of an earlier call, or a late hit's), else opens a new one with
** the next id.  Each batch's hits get their visit id through one prepared
** UPDATE per hit, in id order (the table's), once the batch's cursor is
** done, which drops them from the index, so the next batch starts again at
** the index's head.  A late hit that falls between two visits joins the
** later one; visits are never merged.
*/
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

#define VISIT_GAP 1800
#define BATCH (1 << 18)            /* hits a batch: 4 MB of (hit, visit) pairs */
#define NATTR 4                    /* referrer, code, source, medium */

/* A visit being grouped into.  The attributes are its first hit's that
** has one: attrAt is that hit's time (a stored visit's: its first_at). */
typedef struct Visit {
  int64_t id;
  int stored;                      /* the camp_visit row exists (UPDATE, else INSERT) */
  int dirty;                       /* changed since loaded or written */
  char *model;                     /* the key's model (NULL: anonymous) */
  int64_t first, last, pages, events;
  char *attr[NATTR];
  int64_t attrAt[NATTR];
  char *ip, *uaClass;
} Visit;

/* The walk's state: the current key (site, visitor, record) and its open
** visits, the next visit id, the batch's (hit, visit) pairs. */
typedef struct Group {
  Engine *e;
  char *site, *visitor;
  int hasRecord;
  int64_t record;
  Visit *open;
  size_t nopen, capOpen;
  int64_t nextId;
  int64_t (*pairs)[2];
  size_t npair;
} Group;

/* A hit's columns as the walk reads them (valid until the next step). */
enum { H_ID, H_SITE, H_AT, H_VISITOR, H_MODEL, H_RECORD, H_NAME, H_REFERRER, H_CODE, H_SOURCE, H_MEDIUM, H_IP, H_UACLASS };

static char *dupText(DbStmt *st, int col) {
  const char *s = campStoreDbTextOrNull(st, col);
  return s ? strdup(s) : NULL;
}

static int sameText(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static void visitFree(Visit *v) {
  free(v->model);
  for (int k = 0; k < NATTR; k++) free(v->attr[k]);
  free(v->ip);
  free(v->uaClass);
  memset(v, 0, sizeof *v);
}

static void bindText(DbStmt *st, int col, const char *s) {
  if (s) campDbBindText(st, col, s, -1);
  else campDbBindNull(st, col);
}

/* Write v when it changed: an UPDATE of its row, or its INSERT. */
static int visitWrite(Group *g, Visit *v) {
  if (!v->dirty) return 0;
  /* the UPDATE's parameters are 1..12, the INSERT's 1..16 (PostgreSQL types every $N) */
  DbStmt *st = campStoreDbStmt(g->e, v->stored
    ? "UPDATE camp_visit SET first_at = ?2, last_at = ?3, pages = ?4, events = ?5, referrer = ?6, code = ?7, source = ?8,"
      " medium = ?9, ip = ?10, ua_class = ?11, bot = ?12 WHERE id = ?1"
    : "INSERT INTO camp_visit(id, first_at, last_at, pages, events, referrer, code, source, medium, ip, ua_class, bot,"
      " site, visitor, model, record_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", NULL, 0);
  if (!st) return -1;
  campDbBindInt64(st, 1, v->id);
  campDbBindInt64(st, 2, v->first);
  campDbBindInt64(st, 3, v->last);
  campDbBindInt64(st, 4, v->pages);
  campDbBindInt64(st, 5, v->events);
  for (int k = 0; k < NATTR; k++) bindText(st, 6 + k, v->attr[k]);
  bindText(st, 10, v->ip);
  bindText(st, 11, v->uaClass ? v->uaClass : "desktop");
  campDbBindInt64(st, 12, v->uaClass && !strcmp(v->uaClass, "bot"));
  if (!v->stored) {
    bindText(st, 13, g->site);
    bindText(st, 14, g->visitor);
    bindText(st, 15, v->model);
    if (g->hasRecord) campDbBindInt64(st, 16, g->record);
  }
  int rc = campDbStep(st);
  campDbReset(st);
  if (rc != DB_DONE) return -1;
  v->stored = 1;
  v->dirty = 0;
  return 0;
}

/* Write and forget every open visit (the key changes, or the walk ends). */
static int closeAll(Group *g) {
  int rc = 0;
  for (size_t i = 0; i < g->nopen; i++) {
    if (rc == 0 && visitWrite(g, &g->open[i]) < 0) rc = -1;
    visitFree(&g->open[i]);
  }
  g->nopen = 0;
  return rc;
}

/* Make hit's key the current one (closing the previous key's visits). */
static int enterKey(Group *g, DbStmt *h) {
  const char *site = campStoreDbTextOrNull(h, H_SITE), *visitor = campStoreDbTextOrNull(h, H_VISITOR);
  int hasRecord = campDbColumnType(h, H_RECORD) != DB_NULL;
  int64_t record = campDbColumnInt64(h, H_RECORD);
  if (g->site && sameText(g->site, site) && sameText(g->visitor, visitor) && g->hasRecord == hasRecord &&
      (!hasRecord || g->record == record))
    return 0;
  if (closeAll(g) < 0) return -1;
  free(g->site);
  free(g->visitor);
  g->site = strdup(site ? site : "");
  g->visitor = visitor ? strdup(visitor) : NULL;
  g->hasRecord = hasRecord;
  g->record = record;
  return g->site && (!visitor || g->visitor) ? 0 : -1;
}

/* The stored visit of the key (with model) that a hit at `at` fits, into
** *v (loaded); 1 found, 0 none, -1 error. */
static int visitFind(Group *g, const char *model, int64_t at, Visit *v) {
  DbStmt *st = campStoreDbStmt(g->e,
    "SELECT id, first_at, last_at, pages, events, referrer, code, source, medium, ip, ua_class FROM camp_visit"
    " WHERE site = ?1 AND visitor IS NOT DISTINCT FROM ?2 AND record_id IS NOT DISTINCT FROM ?3 AND model IS NOT DISTINCT FROM ?4"
    " AND last_at >= ?5 AND first_at <= ?6 ORDER BY last_at DESC LIMIT 1", NULL, 0);
  if (!st) return -1;
  bindText(st, 1, g->site);
  bindText(st, 2, g->visitor);
  if (g->hasRecord) campDbBindInt64(st, 3, g->record);
  bindText(st, 4, model);
  campDbBindInt64(st, 5, at - VISIT_GAP);
  campDbBindInt64(st, 6, at + VISIT_GAP);
  int rc = campDbStep(st), found = rc == DB_ROW;
  if (found) {
    *v = (Visit){ .id = campDbColumnInt64(st, 0), .stored = 1, .first = campDbColumnInt64(st, 1),
                  .last = campDbColumnInt64(st, 2), .pages = campDbColumnInt64(st, 3), .events = campDbColumnInt64(st, 4) };
    for (int k = 0; k < NATTR; k++) { v->attr[k] = dupText(st, 5 + k); v->attrAt[k] = v->first; }
    v->ip = dupText(st, 9);
    v->uaClass = dupText(st, 10);
    v->model = model ? strdup(model) : NULL;
  }
  campDbReset(st);
  return found ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Does a hit at `at` fit v? */
static int fits(const Visit *v, int64_t at) { return at <= v->last + VISIT_GAP && at >= v->first - VISIT_GAP; }

/* Replace *slot with the column's text (NULL when it has none). */
static void takeText(char **slot, DbStmt *h, int col) {
  free(*slot);
  *slot = dupText(h, col);
}

/* Add hit h (at `at`) to v. */
static void visitAdd(Visit *v, DbStmt *h, int64_t at, int fresh) {
  if (fresh || at < v->first) {
    v->first = at;
    takeText(&v->ip, h, H_IP);
    takeText(&v->uaClass, h, H_UACLASS);
  }
  if (fresh || at > v->last) v->last = at;
  for (int k = 0; k < NATTR; k++)
    if (campDbColumnType(h, H_REFERRER + k) != DB_NULL && (!v->attr[k] || at < v->attrAt[k])) {
      takeText(&v->attr[k], h, H_REFERRER + k);
      v->attrAt[k] = at;
    }
  const char *name = campStoreDbTextOrNull(h, H_NAME);
  if (name && !strcmp(name, "visit")) v->pages++;
  else v->events++;
  v->dirty = 1;
}

/* Group hit h: into the open visit of its model that it fits, else a
** stored one it fits, else a new one.  Its (hit, visit) pair is kept. */
static int groupHit(Group *g, DbStmt *h) {
  if (enterKey(g, h) < 0) return -1;
  const char *model = campStoreDbTextOrNull(h, H_MODEL);
  int64_t at = campDbColumnInt64(h, H_AT);
  Visit *v = NULL;
  for (size_t i = 0; i < g->nopen && !v; i++)
    if (sameText(g->open[i].model, model)) v = &g->open[i];
  if (!v) {
    if (g->nopen == g->capOpen) {
      Visit *n = realloc(g->open, (g->capOpen = g->capOpen ? g->capOpen * 2 : 4) * sizeof *n);
      if (!n) return -1;
      g->open = n;
    }
    v = &g->open[g->nopen++];
    memset(v, 0, sizeof *v);
    v->id = -1;                    /* none yet */
  }
  int fresh = 0;
  if (v->id < 0 || !fits(v, at)) {
    if (v->id >= 0 && visitWrite(g, v) < 0) return -1;
    Visit found;
    int rc = visitFind(g, model, at, &found);
    if (rc < 0) return -1;
    visitFree(v);
    if (rc) *v = found;
    else {
      v->id = g->nextId++;
      v->model = model ? strdup(model) : NULL;
      fresh = 1;
    }
  }
  visitAdd(v, h, at, fresh);
  g->pairs[g->npair][0] = campDbColumnInt64(h, H_ID);
  g->pairs[g->npair][1] = v->id;
  g->npair++;
  return 0;
}

static int byHit(const void *a, const void *b) {
  int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
  return x < y ? -1 : x > y;
}

/* Set visit on the batch's hits, in id order: each page of camp_hit is
** written once per batch, not once per hit as the key order would. */
static int markHits(Group *g) {
  qsort(g->pairs, g->npair, sizeof *g->pairs, byHit);
  DbStmt *st = campStoreDbStmt(g->e, "UPDATE camp_hit SET visit = ?1 WHERE id = ?2", NULL, 0);
  if (!st) return -1;
  for (size_t i = 0; i < g->npair; i++) {
    campDbBindInt64(st, 1, g->pairs[i][1]);
    campDbBindInt64(st, 2, g->pairs[i][0]);
    int rc = campDbStep(st);
    campDbReset(st);
    if (rc != DB_DONE) return -1;
  }
  g->npair = 0;
  return 0;
}

/* One batch: up to BATCH ungrouped hits in key and time order, grouped;
** how many, or -1. */
static long groupBatch(Group *g) {
  /* null keys first, as SQLite orders them (PostgreSQL puts them last
  ** unless told): the same walk, so the same visit ids, on both */
#define UNGROUPED(HINT) "SELECT id, site, at, visitor, model, record_id, name, referrer, code, source, medium, ip, ua_class" \
  " FROM camp_hit" HINT " WHERE visit IS NULL ORDER BY site, visitor NULLS FIRST, record_id NULLS FIRST, at LIMIT ?1"
  DbStmt *st = campStoreDbStmt(g->e, campDbKind(g->e->conn) == DB_POSTGRES ? UNGROUPED("")
                                                                       : UNGROUPED(" INDEXED BY camp_hit_ungrouped"), NULL, 0);
#undef UNGROUPED
  if (!st) return -1;
  campDbBindInt64(st, 1, BATCH);
  long n = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (groupHit(g, st) < 0) { campDbReset(st); return -1; }
    n++;
  }
  campDbReset(st);
  if (rc != DB_DONE || markHits(g) < 0) return -1;
  return n;
}

long campStoreVisitsGroup(Engine *e, char *err, size_t errSize) {
  Group g = { .e = e };
  DbStmt *st = campStoreDbStmt(e, "SELECT coalesce(max(id), 0) + 1 FROM camp_visit", NULL, 0);
  if (!st || campDbStep(st) != DB_ROW) {
    if (st) campDbReset(st);
    snprintf(err, errSize, "database: %s", campDbError(e->conn));
    return -1;
  }
  g.nextId = campDbColumnInt64(st, 0);
  campDbReset(st);
  g.pairs = malloc(BATCH * sizeof *g.pairs);
  long total = g.pairs ? 0 : -1, n = 0;
  while (total >= 0 && (n = groupBatch(&g)) > 0) total += n;
  if (total >= 0 && n < 0) total = -1;
  if (closeAll(&g) < 0) total = -1;
  if (total < 0) snprintf(err, errSize, "grouping visits: %s", g.pairs ? campDbError(e->conn) : "out of memory");
  free(g.open);
  free(g.pairs);
  free(g.site);
  free(g.visitor);
  return total;
}

int campStoreVisitsPending(Engine *e) {
  DbStmt *st = campStoreDbStmt(e, "SELECT EXISTS(SELECT 1 FROM camp_hit WHERE visit IS NULL)", NULL, 0);
  if (!st) return -1;
  int rc = campDbStep(st), any = rc == DB_ROW ? (int)campDbColumnInt64(st, 0) : -1;
  campDbReset(st);
  return any;
}

/* -- camp visits and camp forget ------------------------------------------------- */

int campStoreVisitsSite(Engine *e, const char *key, char **site, char *err, size_t errSize) {
  /* a name first: a site_id may be spelled as another website's name */
  DbStmt *st = campDbPrepare(e->conn, "SELECT site_id, 0 FROM camp_website WHERE name = ?1 "
                                         "UNION ALL SELECT site_id, 1 FROM camp_website WHERE site_id = ?1 ORDER BY 2 LIMIT 1", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, key, -1);
  int rc = campDbStep(st);
  *site = rc == DB_ROW ? dupText(st, 0) : NULL;
  if (rc != DB_ROW && rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  else if (rc == DB_DONE) snprintf(err, errSize, "no website is named '%s' or has it as its site_id", key);
  campDbFinalize(st);
  return *site ? 0 : rc == DB_DONE ? 1 : -1;
}

enum { V_WEBSITE, V_VISITOR, V_MODEL, V_RECORD, V_FIRST, V_LAST, V_PAGES, V_EVENTS, V_REFERRER, V_CODE, V_SOURCE, V_MEDIUM,
       V_IP, V_CLASS, V_BOT, V_SITE };

/* One visit as JSON. */
static json_t *visitJson(DbStmt *st) {
  json_t *o = json_pack("{s:o,s:o,s:o,s:o}", "website", campStoreDbColumnText(st, V_WEBSITE), "site_id", campStoreDbColumnText(st, V_SITE),
                        "visitor", campStoreDbColumnText(st, V_VISITOR), "model", campStoreDbColumnText(st, V_MODEL));
  json_object_set_new(o, "record", campDbColumnType(st, V_RECORD) == DB_NULL ? json_null()
                                                                                  : json_integer(campDbColumnInt64(st, V_RECORD)));
  json_object_set_new(o, "first_at", campStoreDbColumnTime(st, V_FIRST));
  json_object_set_new(o, "last_at", campStoreDbColumnTime(st, V_LAST));
  json_object_set_new(o, "pages", json_integer(campDbColumnInt64(st, V_PAGES)));
  json_object_set_new(o, "events", json_integer(campDbColumnInt64(st, V_EVENTS)));
  static const char *const texts[] = { "referrer", "code", "source", "medium", "ip", "ua_class" };
  for (int k = 0; k < 6; k++) json_object_set_new(o, texts[k], campStoreDbColumnText(st, V_REFERRER + k));
  json_object_set_new(o, "bot", json_boolean((int)campDbColumnInt64(st, V_BOT)));
  return o;
}

/* A text column for the table: itself, or "-". */
static const char *cell(DbStmt *st, int col) {
  const char *s = campStoreDbTextOrNull(st, col);
  return s && *s ? s : "-";
}

/* One visit as a table line. */
static void visitLine(DbStmt *st, FILE *out) {
  char first[CAMP_CLOCK_ISO_SIZE], last[CAMP_CLOCK_ISO_SIZE], who[64];
  campClockFormat(campDbColumnInt64(st, V_FIRST), first);
  campClockFormat(campDbColumnInt64(st, V_LAST), last);
  if (campDbColumnType(st, V_RECORD) == DB_NULL) snprintf(who, sizeof who, "anonymous");
  else snprintf(who, sizeof who, "%.40s:%lld", cell(st, V_MODEL), (long long)campDbColumnInt64(st, V_RECORD));
  char utm[72] = "-";
  if (campDbColumnType(st, V_SOURCE) != DB_NULL || campDbColumnType(st, V_MEDIUM) != DB_NULL)
    snprintf(utm, sizeof utm, "%.32s/%.32s", cell(st, V_SOURCE), cell(st, V_MEDIUM));
  fprintf(out, "%-12s %-18s %-16s %-20s %-20s %5lld %6lld  %-24s %-10s %-16s %-15s %s\n", cell(st, V_WEBSITE), cell(st, V_VISITOR), who,
          first, last, (long long)campDbColumnInt64(st, V_PAGES), (long long)campDbColumnInt64(st, V_EVENTS),
          cell(st, V_REFERRER), cell(st, V_CODE), utm, cell(st, V_IP), cell(st, V_CLASS));
}

int campStoreVisitsList(Engine *e, const StoreVisitQuery *q, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  char *site = NULL, *initiative = NULL;
  if ((q->website && campStoreVisitsSite(e, q->website, &site, err, errSize)) ||
      (q->initiative && campStoreInitiativeResolve(e, q->initiative, &initiative, err, errSize))) { free(site); return -1; }
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT coalesce(w.name, v.site), v.visitor, v.model, v.record_id, v.first_at, v.last_at, v.pages, v.events, v.referrer,"
    " v.code, v.source, v.medium, v.ip, v.ua_class, v.bot, v.site FROM camp_visit v LEFT JOIN camp_website w ON w.site_id = v.site"
    " WHERE (CAST(?1 AS TEXT) IS NULL OR v.site = ?1) AND (?2 = 0 OR (v.record_id = ?3 AND (CAST(?4 AS TEXT) IS NULL OR v.model = ?4)))"
    " AND (CAST(?5 AS TEXT) IS NULL OR v.code IN (SELECT code FROM camp_code WHERE initiative = ?5)) AND v.first_at >= ?6"
    " AND (?7 <> 0 OR v.bot = 0)"
    " ORDER BY v.first_at DESC, v.id DESC", err, errSize);
  if (!st) { free(site); free(initiative); return -1; }
  bindText(st, 1, site);
  campDbBindInt64(st, 2, q->hasRecord);
  campDbBindInt64(st, 3, q->record);
  bindText(st, 4, q->model);
  bindText(st, 5, initiative);
  campDbBindInt64(st, 6, q->since);
  campDbBindInt64(st, 7, q->bots);
  json_t *list = json_array();
  if (fmt == REPORT_TABLE)
    fprintf(out, "%-12s %-18s %-16s %-20s %-20s %5s %6s  %-24s %-10s %-16s %-15s %s\n", "website", "visitor", "contact", "first", "last",
            "pages", "events", "referrer", "code", "source/medium", "ip", "class");
  int rc;
  long n = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (fmt == REPORT_TABLE) visitLine(st, out);
    else json_array_append_new(list, visitJson(st));
    n++;
  }
  if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  else if (fmt == REPORT_JSON) {
    json_t *root = json_pack("{s:O}", "visits", list);
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
  } else if (!n) fputs("no visits\n", out);
  json_decref(list);
  campDbFinalize(st);
  free(site);
  free(initiative);
  return rc == DB_DONE ? 0 : -1;
}

int campStoreVisitsModel(Engine *e, char **model, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT DISTINCT model FROM camp_hit WHERE model IS NOT NULL LIMIT 2", err, errSize);
  if (!st) return -1;
  int rc, n = 0;
  *model = NULL;
  while ((rc = campDbStep(st)) == DB_ROW)
    if (n++ == 0) *model = dupText(st, 0);
  if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  if (rc != DB_DONE || n != 1) { free(*model); *model = NULL; }
  return rc != DB_DONE ? -1 : n > 1 ? 2 : n;
}

/* The contact's visitor ids: every visitor id a hit or visit of it has.  A
** CTE the statements of campStoreVisitsForget share (?1 model, ?2 record). */
#define FORGET_IDS "WITH ids(visitor) AS (SELECT visitor FROM camp_hit WHERE model = ?1 AND record_id = ?2 AND visitor IS NOT NULL" \
                   " UNION SELECT visitor FROM camp_visit WHERE model = ?1 AND record_id = ?2 AND visitor IS NOT NULL) "
/* What of a table is the contact's: its own rows, and the anonymous rows of
** its visitor ids (another contact's rows stay, whatever their visitor id). */
#define FORGET_ROWS "WHERE (model = ?1 AND record_id = ?2) OR (record_id IS NULL AND visitor IN (SELECT visitor FROM ids))"

int campStoreVisitsForget(Engine *e, const char *model, int64_t record, StoreForgotten *f, char *err, size_t errSize) {
  static const char *const sql[] = {
    FORGET_IDS "SELECT count(*) FROM ids",
    FORGET_IDS "DELETE FROM camp_visit " FORGET_ROWS,
    FORGET_IDS "DELETE FROM camp_hit " FORGET_ROWS,
  };
  long *counts[] = { &f->visitors, &f->visits, &f->hits };
  for (int i = 0; i < 3; i++) {
    DbStmt *st = campDbPrepare(e->conn, sql[i], err, errSize);
    if (!st) return -1;
    campDbBindText(st, 1, model, -1);
    campDbBindInt64(st, 2, record);
    int rc = campDbStep(st);
    *counts[i] = i == 0 ? (rc == DB_ROW ? (long)campDbColumnInt64(st, 0) : 0) : (long)campDbChanges(e->conn);
    if (rc != (i == 0 ? DB_ROW : DB_DONE)) {
      snprintf(err, errSize, "database: %s", campDbError(e->conn));
      campDbFinalize(st);
      return -1;
    }
    campDbFinalize(st);
  }
  return 0;
}
