/*
** runtime/store_deploy.c -- deploy and plan.
**
** Owns: turning an image into stored state: model tables created or
** extended, a new version per campaign, activities kept by name across
** versions, and Odoo's sync rules for participants already in flight:
** pending traces take the new delays, traces of removed activities are
** canceled, a new activity reaches running participants (top-level ones from
** now, children only where the parent already ran and the opposite trigger
** has not fired).  Each version keeps its source (camp_source), and what
** changed is printed as it is applied: per activity added, removed (with
** the traces canceled) or changed, each changed property old -> new
** (durations from the image, subjects, bodies, filters and actions from
** the stored source; runtime/plan.c prints them).  A plan is the same
** deploy inside a transaction that is rolled back, so what plan says is
** exactly what deploy does.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/plan.h"
#include "runtime/sched_timing.h"
#include "runtime/store_engine.h"

static const char *const typeSql[] = { "", "TEXT", "INTEGER", "REAL", "INTEGER", "INTEGER", "TEXT", "TEXT", "TEXT" };

static int64_t changes(Engine *e) { return campDbChanges(e->conn); }

/* Create the model's table or add its new columns; a field whose type
** changed is an error naming it. */
static int ensureModel(Engine *e, const Program *p, uint32_t mi, const Plan *pl, DeployStats *stats, char *err, size_t errSize) {
  const ProgModel *m = &p->models[mi];
  const char *name = p->str[m->name];
  Buf sql = { 0 };
  DbStmt *st = campDbPrepare(e->conn, "SELECT type FROM camp_model WHERE model = ? AND field = ?", err, errSize);
  DbStmt *ins = campDbPrepare(e->conn, "INSERT INTO camp_model(model, field, type) VALUES(?, ?, ?)", err, errSize);
  if (!st || !ins) { campDbFinalize(st); campDbFinalize(ins); return -1; }
  int rc = 0, exists = 0, grown = 0;
  campDbBindText(st, 1, name, -1);
  campDbBindText(st, 2, "id", -1);
  exists = campDbStep(st) == DB_ROW;
  campDbReset(st);
  if (!exists) {
    campBufPuts(&sql, "CREATE TABLE IF NOT EXISTS ");
    campStoreIdentPut(&sql, name);
    campBufPuts(&sql, "(id INTEGER PRIMARY KEY");
    for (uint32_t f = 1; f < m->nfield; f++) {
      campBufPuts(&sql, ", ");
      campStoreIdentPut(&sql, p->str[m->fields[f].name]);
      campBufPrintf(&sql, " %s", typeSql[m->fields[f].type]);
    }
    campBufPuts(&sql, ")");
    if (sql.oom) { snprintf(err, errSize, "out of memory"); rc = -1; }
    else if (campStoreExec(e, sql.p, err, errSize) < 0) rc = -1;
    else { campPlanLine(pl, 0, '+', "model %s (new table, %u fields)", name, m->nfield - 1); stats->add++; }
  }
  for (uint32_t f = 0; f < m->nfield && rc == 0; f++) {
    const char *fname = p->str[m->fields[f].name];
    campDbBindText(st, 1, name, -1);
    campDbBindText(st, 2, fname, -1);
    if (campDbStep(st) == DB_ROW) {
      int had = (int)campDbColumnInt64(st, 0);
      if (had != m->fields[f].type) {
        snprintf(err, errSize, "model '%s': field '%s' was %s and is now %s; a type cannot change (add a new field)",
                 name, fname, campValueTypeName(had <= TYPE_TAGS ? had : 0), campValueTypeName(m->fields[f].type));
        rc = -1;
      }
    } else {
      if (exists) {
        sql.n = 0;
        campBufPuts(&sql, "ALTER TABLE ");
        campStoreIdentPut(&sql, name);
        campBufPuts(&sql, " ADD COLUMN ");
        campStoreIdentPut(&sql, fname);
        campBufPrintf(&sql, " %s", typeSql[m->fields[f].type]);
        if (sql.oom) { snprintf(err, errSize, "out of memory"); rc = -1; }
        else if (campStoreExec(e, sql.p, err, errSize) < 0) rc = -1;
        else {
          if (!grown++) { campPlanLine(pl, 0, '~', "model %s", name); stats->change++; }
          campPlanLine(pl, 4, '+', "field %s %s", fname, campValueTypeName(m->fields[f].type));
        }
      }
      campDbBindText(ins, 1, name, -1);
      campDbBindText(ins, 2, fname, -1);
      campDbBindInt64(ins, 3, m->fields[f].type);
      if (rc == 0 && campDbStep(ins) != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); rc = -1; }
      campDbReset(ins);
    }
    campDbReset(st);
  }
  campDbFinalize(st);
  campDbFinalize(ins);
  campBufFree(&sql);
  return rc;
}

/* -- source texts ---------------------------------------------------------- */

int campStoreSourceAdd(DeploySource *s, const char *campaign, const char *activity, const char *field,
                       const char *text, size_t len) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 32;
    DeployText *v = realloc(s->v, cap * sizeof *v);
    if (!v) return -1;
    s->v = v;
    s->cap = cap;
  }
  DeployText *t = &s->v[s->n];
  t->campaign = strdup(campaign);
  t->activity = strdup(activity);
  t->field = strdup(field);
  t->text = malloc(len + 1);
  if (!t->campaign || !t->activity || !t->field || !t->text) {
    free(t->campaign); free(t->activity); free(t->field); free(t->text);
    return -1;
  }
  if (len) memcpy(t->text, text, len);      /* an empty column's text is NULL */
  t->text[len] = 0;
  t->len = len;
  s->n++;
  return 0;
}

void campStoreSourceFree(DeploySource *s) {
  for (size_t i = 0; s && i < s->n; i++) {
    free(s->v[i].campaign); free(s->v[i].activity); free(s->v[i].field); free(s->v[i].text);
  }
  if (s) { free(s->v); memset(s, 0, sizeof *s); }
}

/* The stored source of a campaign's version into *out (empty when that
** version was deployed without one). */
static int loadSource(Engine *e, int64_t campaign, int version, const char *name, DeploySource *out, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT activity, field, text FROM camp_source WHERE campaign = ? AND version = ? "
                                         "ORDER BY rowid", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  campDbBindInt64(st, 2, version);
  int rc = 0;
  while (rc == 0 && campDbStep(st) == DB_ROW)
    rc = campStoreSourceAdd(out, name, campDbColumnText(st, 0), campDbColumnText(st, 1),
                            (const char *)campDbColumnBlob(st, 2), (size_t)campDbColumnBytes(st, 2));
  campDbFinalize(st);
  if (rc < 0) snprintf(err, errSize, "out of memory");
  return rc;
}

/* Keep the source of campaign name's new version. */
static int storeSource(Engine *e, int64_t campaign, int version, const char *name, const DeploySource *src,
                       char *err, size_t errSize) {
  for (size_t i = 0; src && i < src->n; i++) {
    const DeployText *t = &src->v[i];
    if (strcmp(t->campaign, name)) continue;
    DbStmt *st = campStoreDbStmt(e, "INSERT OR REPLACE INTO camp_source(campaign, version, activity, field, text) "
                                        "VALUES(?, ?, ?, ?, ?)", err, errSize);
    if (!st) return -1;
    campDbBindInt64(st, 1, campaign);
    campDbBindInt64(st, 2, version);
    campDbBindText(st, 3, t->activity, -1);
    campDbBindText(st, 4, t->field, -1);
    campDbBindText(st, 5, t->text, (int)t->len);
    int rc = campDbStep(st);
    campDbReset(st);
    if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  }
  return 0;
}

/* -- what changed ------------------------------------------------------------ */

/* An activity of the version being replaced (copied: that version's
** program is freed while the new one is applied) and its id. */
typedef struct OldAct { PlanActivity a; int64_t id; } OldAct;

static void freeOld(OldAct *v, int n) {
  for (int i = 0; v && i < n; i++) { free(v[i].a.name); free(v[i].a.parent); free(v[i].a.cond); }
  free(v);
}

/* The activities of the currently deployed version, by name. */
static int oldActivities(Engine *e, int64_t campaign, OldAct **out, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  OldAct *v = calloc(c->nact ? c->nact : 1, sizeof *v);
  if (!v) { snprintf(err, errSize, "out of memory"); return -1; }
  for (uint32_t i = 0; i < c->nact; i++) {
    const ProgActivity *a = &p->acts[c->firstAct + i];
    PlanActivity *o = &v[i].a;
    o->name = strdup(p->str[a->name]);
    o->parent = strdup(a->parent != CAMP_NONE ? p->str[p->acts[a->parent].name] : "");
    o->cond = campPlanCondition(p, a);
    if (!o->name || !o->parent || !o->cond) { freeOld(v, (int)i + 1); snprintf(err, errSize, "out of memory"); return -1; }
    o->delay = a->delay; o->window = a->window; o->expire = a->expire;
    o->trigger = a->trigger; o->kind = a->kind;
    campPlanActivityTiming(o, a);
    v[i].id = l->actId[c->firstAct + i];
  }
  *out = v;
  return (int)c->nact;
}

static const OldAct *findOld(const OldAct *v, int n, const char *name) {
  for (int i = 0; i < n; i++) if (!strcmp(v[i].a.name, name)) return &v[i];
  return NULL;
}

static int eventBit(int trig) {
  switch (trig) {
  case TRIG_OPEN: case TRIG_NO_OPEN: return EV_OPEN;
  case TRIG_CLICK: case TRIG_NO_CLICK: return EV_CLICK;
  case TRIG_REPLY: case TRIG_NO_REPLY: return EV_REPLY;
  case TRIG_BOUNCE: return EV_BOUNCE;
  default: return 0;
  }
}

/* Give running participants traces of a new activity. */
static int reachNewActivity(Engine *e, int64_t campaign, const Program *p, const ProgActivity *a, int64_t actId,
                            int64_t parentActId, const Plan *pl, char *err, size_t errSize) {
  int64_t now = campEngineNow(e);
  /* ?1 the activity, ?2 its delay (or window), ?3 now, ?4 the parent
  ** activity, ?5 the event bit that cancels it */
#define CHILDREN(STATE, DUE, WHERE) "INSERT INTO camp_trace(participant, activity, parent, state, due, base) " \
  "SELECT t.participant, ?1, t.id, " STATE ", " DUE ", t.done_at FROM camp_trace t " \
  "JOIN camp_participant pa ON pa.id = t.participant AND pa.state = 'running' " \
  "WHERE t.activity = ?4 AND t.state = " Q_PROCESSED WHERE
  static const char *const sql[] = {
    "INSERT INTO camp_trace(participant, activity, state, due, base) "
    "SELECT id, ?1, " Q_SCHEDULED ", ?3 + ?2, ?3 FROM camp_participant WHERE campaign = ?4 AND state = 'running'",
    CHILDREN(Q_SCHEDULED, "max(t.done_at + ?2, ?3)", ""),
    /* a waiting trace keeps its window's end in due (none: NULL) */
    CHILDREN(Q_WAITING, "t.done_at + ?2", " AND (t.events & " Q_EV_BOUNCE ") = 0"),
    CHILDREN(Q_SCHEDULED, "max(t.done_at + ?2, ?3)", " AND (t.events & ?5) = 0 AND (t.events & " Q_EV_BOUNCE ") = 0"),
  };
#undef CHILDREN
  /* children where the parent already ran; negative ones only when the event has not fired */
  int positive = campTriggerPositive(a->trigger);
  int k = a->trigger == TRIG_BEGIN ? 0 : a->trigger == TRIG_DONE ? 1 : positive ? 2 : 3;
  DbStmt *st = campStoreDbStmt(e, sql[k], err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, actId);
  if (k == 2 && !a->window) campDbBindNull(st, 2);
  else campDbBindInt64(st, 2, k == 3 ? a->window + a->delay : k == 2 ? a->window : a->delay);
  campDbBindInt64(st, 3, now);
  campDbBindInt64(st, 4, k == 0 ? campaign : parentActId);
  if (k == 3) campDbBindInt64(st, 5, eventBit(a->trigger));
  int rc = campDbStep(st);
  campDbReset(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  int64_t n = changes(e);
  if (n) campPlanLine(pl, 6, 0, "%lld running participant%s get%s it", (long long)n, n == 1 ? "" : "s", n == 1 ? "s" : "");
  return 0;
}

/* -- deploying a campaign ----------------------------------------------------- */

/* The campaign as deployed now: its id (0: none), version, hash and state. */
typedef struct Current { int64_t id; int version; char hash[65], state[16]; } Current;

static int current(Engine *e, const char *name, Current *cur, char *err, size_t errSize) {
  memset(cur, 0, sizeof *cur);
  snprintf(cur->state, sizeof cur->state, "draft");
  DbStmt *st = campDbPrepare(e->conn, "SELECT c.id, c.version, v.hash, c.state FROM camp_campaign c "
                                         "JOIN camp_version v ON v.campaign = c.id AND v.version = c.version WHERE c.name = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  if (campDbStep(st) == DB_ROW) {
    cur->id = campDbColumnInt64(st, 0);
    cur->version = (int)campDbColumnInt64(st, 1);
    snprintf(cur->hash, sizeof cur->hash, "%s", campDbColumnText(st, 2));
    snprintf(cur->state, sizeof cur->state, "%s", campDbColumnText(st, 3));
  }
  campDbFinalize(st);
  return 0;
}

/* The rows of a new version: the campaign (created when new), the version
** with its image and source, the activities by name. */
static int storeVersion(Engine *e, const Program *p, uint32_t ci, const DeployImage *im, const DeployOptions *o,
                        Current *cur, char *err, size_t errSize) {
  const ProgCampaign *c = &p->camps[ci];
  const char *name = p->str[c->name];
  char hex[65];
  campProgramHashHex(p, hex);
  if (!cur->id) {
    DbStmt *ins = campStoreDbStmt(e, "INSERT INTO camp_campaign(name, title, model, state, version, kind) VALUES(?, ?, ?, 'draft', 0, ?)"
                                     " RETURNING id", err, errSize);
    if (!ins) return -1;
    campDbBindText(ins, 1, name, -1);
    campDbBindText(ins, 2, p->str[c->title], -1);
    campDbBindText(ins, 3, p->str[p->models[c->model].name], -1);
    campDbBindText(ins, 4, c->isMailing ? "mailing" : "campaign", -1);
    int rc = campDbStep(ins);
    if (rc == DB_ROW) cur->id = campDbColumnInt64(ins, 0);
    else snprintf(err, errSize, "database: %s", campDbError(e->conn));
    campDbReset(ins);
    if (rc != DB_ROW) return -1;
  }
  DbStmt *st = campDbPrepare(e->conn, "INSERT INTO camp_version(campaign, version, hash, image, deployed_at) VALUES(?, ?, ?, ?, ?)", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, cur->id);
  campDbBindInt64(st, 2, cur->version + 1);
  campDbBindText(st, 3, hex, -1);
  campDbBindBlob(st, 4, im->img, (int)im->len);
  campDbBindInt64(st, 5, campEngineNow(e));
  int rc = campDbStep(st);
  campDbFinalize(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  if (storeSource(e, cur->id, cur->version + 1, name, im->source, err, errSize) < 0) return -1;
  st = campDbPrepare(e->conn, o->start ? "UPDATE camp_campaign SET version = ?3, title = ?1, at = ?2, state = 'running' WHERE id = ?4"
                                     : "UPDATE camp_campaign SET version = ?3, title = ?1, at = ?2 WHERE id = ?4", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, p->str[c->title], -1);
  if (c->isMailing && c->at) campDbBindInt64(st, 2, campSchedMailingStart(c)); else campDbBindNull(st, 2);
  campDbBindInt64(st, 3, cur->version + 1);
  campDbBindInt64(st, 4, cur->id);
  campDbStep(st);
  campDbFinalize(st);
  /* activities by name: upsert, then mark the ones that are gone */
  rc = campStoreDbRun(e, "UPDATE camp_activity SET idx = -1 WHERE campaign = ?", "i", cur->id);
  if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  st = campDbPrepare(e->conn, "INSERT INTO camp_activity(campaign, name, kind, idx) VALUES(?, ?, ?, ?) "
                           "ON CONFLICT(campaign, name) DO UPDATE SET kind = excluded.kind, idx = excluded.idx", err, errSize);
  for (uint32_t i = 0; st && rc == 0 && i < c->nact; i++) {
    const ProgActivity *a = &p->acts[c->firstAct + i];
    campDbBindInt64(st, 1, cur->id);
    campDbBindText(st, 2, p->str[a->name], -1);
    campDbBindInt64(st, 3, a->kind);
    campDbBindInt64(st, 4, (int)(c->firstAct + i));
    if (campDbStep(st) != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); rc = -1; }
    campDbReset(st);
  }
  campDbFinalize(st);
  return st ? rc : -1;
}

/* The state of a running version being replaced: what the new one
** changes, printed and applied activity by activity. */
typedef struct Sync {
  Engine *e; const Program *p; uint32_t ci; const Loaded *l; const Plan *pl;
  OldAct *old; int nold;
  const DeploySource *oldSrc, *newSrc;   /* NULL: not compared */
  DeployStats *stats;
  int shown;                             /* lines printed under the campaign */
} Sync;

/* Removed activities: their pending traces are canceled. */
static int removeGone(Sync *s, char *err, size_t errSize) {
  for (int i = 0; i < s->nold; i++) {
    if (campProgramFindActivity(s->p, s->ci, s->old[i].a.name) != CAMP_NONE) continue;
    if (campStoreDbRun(s->e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = 'activity removed from the campaign', done_at = ? "
                           "WHERE activity = ? AND state IN (" Q_SCHEDULED ", " Q_WAITING ")", "ii", campEngineNow(s->e), s->old[i].id) < 0) {
      snprintf(err, errSize, "database: %s", campDbError(s->e->conn));
      return -1;
    }
    int64_t n = changes(s->e);
    if (n) campPlanLine(s->pl, 2, '-', "activity %s (%lld pending trace%s canceled)", s->old[i].a.name, (long long)n, n == 1 ? "" : "s");
    else campPlanLine(s->pl, 2, '-', "activity %s", s->old[i].a.name);
    s->stats->remove++;
    s->shown++;
  }
  return 0;
}

/* Does the activity's due time depend on the recipient's zone (a
** calendar delay, a time of day)? */
static int calendar(const ProgActivity *a) {
  return a->delayDays || a->delayMonths || a->atMinute != CAMP_NO_TIME;
}

/* The pending traces of activity ai (of the new version) due again from
** the time their trigger fired (base, plus the window of a no-event
** branch), as campSchedDue says in each recipient's zone: a calendar delay
** cannot be added in SQL.  Traces held for a window or cap are moved too
** (the gate holds them again when needed). */
static int recompute(Sync *s, uint32_t ai, char *err, size_t errSize) {
  const ProgActivity *a = &s->p->acts[ai];
  int64_t actId = s->l->actId[ai], (*v)[3] = NULL, add = campTriggerNegative(a->trigger) ? a->window : 0;
  size_t n = 0, cap = 0;
  DbStmt *st = campStoreDbStmt(s->e, "SELECT t.id, t.base, pa.record_id FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant "
                                         "WHERE t.activity = ? AND t.state = " Q_SCHEDULED " AND t.base IS NOT NULL", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, actId);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (n == cap) {
      void *g = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
      if (!g) { campDbReset(st); free(v); snprintf(err, errSize, "out of memory"); return -1; }
      v = g;
    }
    for (int k = 0; k < 3; k++) v[n][k] = campDbColumnInt64(st, k);
    n++;
  }
  campDbReset(st);
  if (rc != DB_DONE) { free(v); snprintf(err, errSize, "database: %s", campDbError(s->e->conn)); return -1; }
  for (size_t i = 0; i < n; i++) {
    int64_t due = campSchedDue(s->e, s->l, ai, v[i][1] + add, v[i][2]);
    if (campStoreDbRun(s->e, "UPDATE camp_trace SET due = ?, due0 = NULL WHERE id = ?", "ii", due, v[i][0]) < 0) {
      free(v);
      snprintf(err, errSize, "database: %s", campDbError(s->e->conn));
      return -1;
    }
  }
  free(v);
  if (n) campPlanLine(s->pl, 6, 0, "%lld pending trace%s move%s", (long long)n, n == 1 ? "" : "s", n == 1 ? "s" : "");
  return 0;
}

/* An activity of the new version: added (reaching running participants
** when the campaign had any), or kept with what changed in it. */
static int applyActivity(Sync *s, uint32_t ai, char *err, size_t errSize) {
  const ProgActivity *a = &s->p->acts[ai];
  const char *name = s->p->str[a->name], *camp = s->p->str[s->p->camps[s->ci].name];
  const OldAct *o = findOld(s->old, s->nold, name);
  if (!o) {
    Buf d = { 0 };
    campPlanDescribe(&d, s->p, a);
    campPlanLine(s->pl, 2, '+', "activity %s (%s)", name, d.oom ? "?" : d.p);
    campBufFree(&d);
    s->stats->add++;
    s->shown++;
    if (s->nold && reachNewActivity(s->e, s->l->campaign, s->p, a, s->l->actId[ai], a->parent != CAMP_NONE ? s->l->actId[a->parent] : 0,
                                    s->pl, err, errSize) < 0) return -1;
    /* their due times in each recipient's zone (quietly: reachNewActivity said how many) */
    Plan quiet = { NULL, 0 };
    const Plan *said = s->pl;
    s->pl = &quiet;
    int rc = s->nold && calendar(a) ? recompute(s, ai, err, errSize) : 0;
    s->pl = said;
    return rc;
  }
  Plan quiet = { NULL, 0 };
  if (!campPlanActivity(&quiet, s->p, a, &o->a, camp, s->oldSrc, s->newSrc)) return 0;
  campPlanLine(s->pl, 2, '~', "activity %s", name);
  campPlanActivity(s->pl, s->p, a, &o->a, camp, s->oldSrc, s->newSrc);
  s->stats->change++;
  s->shown++;
  if (o->a.delay == a->delay && o->a.window == a->window && o->a.trigger == a->trigger && o->a.delayDays == a->delayDays &&
      o->a.delayMonths == a->delayMonths && o->a.atMinute == a->atMinute) return 0;
  /* pending traces take the new delays from the time their trigger fired */
  if (calendar(a)) return recompute(s, ai, err, errSize);
  int64_t add = a->delay + (campTriggerNegative(a->trigger) ? a->window : 0);
  if (campStoreDbRun(s->e, "UPDATE camp_trace SET due = base + ? WHERE activity = ? AND state = " Q_SCHEDULED " AND base IS NOT NULL",
                   "ii", add, s->l->actId[ai]) < 0) {
    snprintf(err, errSize, "database: %s", campDbError(s->e->conn));
    return -1;
  }
  int64_t n = changes(s->e);
  if (n) campPlanLine(s->pl, 6, 0, "%lld pending trace%s move%s", (long long)n, n == 1 ? "" : "s", n == 1 ? "s" : "");
  return 0;
}

/* A campaign whose image did not change: at most its state. */
static int unchangedCampaign(Engine *e, const char *what, const char *name, const Current *cur, const DeployOptions *o,
                             const Plan *pl, DeployStats *stats, DeployedCampaign *dc, char *err, size_t errSize) {
  dc->running = !strcmp(cur->state, "running");
  if (!o->start || dc->running) return 0;
  dc->changed = dc->running = 1;
  stats->change++;
  campPlanLine(pl, 0, '~', "%s %s (version %d)", what, name, cur->version);
  campPlanLine(pl, 4, 0, "state: %s -> running", cur->state);
  return campStoreSetState(e, name, "running", err, errSize);
}

int campStoreDeployCampaign(Engine *e, const Program *p, uint32_t ci, const DeployImage *im, const DeployOptions *o,
                            DeployStats *stats, DeployedCampaign *dc, char *err, size_t errSize) {
  const ProgCampaign *c = &p->camps[ci];
  const char *name = p->str[c->name], *what = c->isMailing ? "mailing" : "campaign";
  Plan pl = { o->out, o->color };
  char hex[65];
  campProgramHashHex(p, hex);
  Current cur;
  memset(dc, 0, sizeof *dc);
  if (current(e, name, &cur, err, errSize) < 0) return -1;
  dc->id = cur.id;
  dc->version = cur.version;
  if (cur.id && !strcmp(cur.hash, hex)) return unchangedCampaign(e, what, name, &cur, o, &pl, stats, dc, err, errSize);
  dc->changed = 1;
  dc->version = cur.version + 1;
  dc->running = o->start || !strcmp(cur.state, "running");
  Sync s = { e, p, ci, NULL, &pl, NULL, 0, NULL, NULL, stats, 0 };
  DeploySource oldSrc = { 0 };
  int existed = cur.id != 0, rc = -1;
  if (existed && ((s.nold = oldActivities(e, cur.id, &s.old, err, errSize)) < 0 ||
                  loadSource(e, cur.id, cur.version, name, &oldSrc, err, errSize) < 0)) { s.nold = 0; goto done; }
  if (existed) campPlanLine(&pl, 0, '~', "%s %s (version %d -> %d)", what, name, cur.version, cur.version + 1);
  else campPlanLine(&pl, 0, '+', "%s %s (new)", what, name);
  if (storeVersion(e, p, ci, im, o, &cur, err, errSize) < 0) goto done;
  dc->id = cur.id;
  campStoreForget(e, cur.id);
  if (!(s.l = campStoreLoaded(e, cur.id, err, errSize))) goto done;
  if (existed && im->source && oldSrc.n) { s.oldSrc = &oldSrc; s.newSrc = im->source; }
  if (existed && im->source && !oldSrc.n) campPlanLine(&pl, 4, 0, "(source of version %d not stored: subjects, bodies and filters not compared)", cur.version);
  if (s.oldSrc && campPlanSource(&pl, 4, name, "", s.oldSrc, s.newSrc)) { stats->change++; s.shown++; }
  if (existed && o->start && strcmp(cur.state, "running")) { campPlanLine(&pl, 4, 0, "state: %s -> running", cur.state); s.shown++; }
  if (!existed) stats->add++;
  if (removeGone(&s, err, errSize) < 0) goto done;
  for (uint32_t i = 0; i < c->nact; i++) if (applyActivity(&s, c->firstAct + i, err, errSize) < 0) goto done;
  if (existed && !s.shown) {
    stats->change++;
    campPlanLine(&pl, 4, 0, "(nothing to show: the image differs only in what plan does not compare, such as source lines)");
  }
  /* participants left with nothing pending (their activity was removed) end */
  if (existed && campStoreCompleteCampaign(e, cur.id) < 0) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); goto done; }
  rc = 0;
done:
  freeOld(s.old, s.nold);
  campStoreSourceFree(&oldSrc);
  return rc;
}

int campStoreDeployModels(Engine *e, const Program *p, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize) {
  Plan pl = { o->out, o->color };
  for (uint32_t m = 0; m < p->nmodel; m++) if (ensureModel(e, p, m, &pl, stats, err, errSize) < 0) return -1;
  return 0;
}

int64_t campStoreCampaignState(Engine *e, const char *name, int *running, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT id, state FROM camp_campaign WHERE name = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  int64_t id = 0;
  *running = 0;
  if (campDbStep(st) == DB_ROW) { id = campDbColumnInt64(st, 0); *running = !strcmp(campDbColumnText(st, 1), "running"); }
  campDbReset(st);
  return id;
}

void campStoreForgetAll(Engine *e) {
  while (e->ncache) campStoreForget(e, e->cache[0].campaign);
}

int campStoreSetState(Engine *e, const char *campaign, const char *state, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "UPDATE camp_campaign SET state = ? WHERE name = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, state, -1);
  campDbBindText(st, 2, campaign, -1);
  int rc = campDbStep(st);
  campDbFinalize(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  if (campDbChanges(e->conn) == 0) { snprintf(err, errSize, "no campaign '%s' is deployed", campaign); return -1; }
  return 0;
}
