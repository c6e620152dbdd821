/*
** runtime/store_deploy.c -- deploy and plan.
**
** Owns: turning an image into stored state: model tables created or
** extended, a new version per campaign, activities kept by name across
** versions, and Odoo's sync rules for participants already in flight:
** pending traces take the new delays, traces of removed activities are
** canceled, a new activity reaches running participants (top-level ones from
** now, children only where the parent already ran and the opposite trigger
** has not fired).  A plan is the same deploy inside a transaction that is
** rolled back, so what plan says is exactly what deploy does.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

static const char *const typeSql[] = { "", "TEXT", "INTEGER", "REAL", "INTEGER", "INTEGER", "TEXT", "TEXT", "TEXT" };

static int64_t changes(Engine *e) { return sqlite3_changes64(e->db); }

/* Create the model's table or add its new columns; a field whose type
** changed is an error naming it. */
static int ensureModel(Engine *e, const Program *p, uint32_t mi, FILE *out, char *err, size_t errSize) {
  const ProgModel *m = &p->models[mi];
  const char *name = p->str[m->name];
  Buf sql = { 0 };
  sqlite3_stmt *st = campStorePrepare(e, "SELECT type FROM camp_model WHERE model = ? AND field = ?", err, errSize);
  sqlite3_stmt *ins = campStorePrepare(e, "INSERT INTO camp_model(model, field, type) VALUES(?, ?, ?)", err, errSize);
  if (!st || !ins) { sqlite3_finalize(st); sqlite3_finalize(ins); return -1; }
  int rc = 0, exists = 0;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, "id", -1, SQLITE_STATIC);
  exists = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_reset(st);
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
    else if (out) fprintf(out, "  model %s: new table with %u fields\n", name, m->nfield - 1);
  }
  for (uint32_t f = 0; f < m->nfield && rc == 0; f++) {
    const char *fname = p->str[m->fields[f].name];
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, fname, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      int had = sqlite3_column_int(st, 0);
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
        else if (out) fprintf(out, "  model %s: new field %s\n", name, fname);
      }
      sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, fname, -1, SQLITE_STATIC);
      sqlite3_bind_int(ins, 3, m->fields[f].type);
      if (rc == 0 && sqlite3_step(ins) != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); rc = -1; }
      sqlite3_reset(ins);
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_finalize(ins);
  campBufFree(&sql);
  return rc;
}

/* An activity of the version being replaced (copied: that version's
** program is freed while the new one is applied). */
typedef struct OldAct { char *name; int64_t id; int64_t delay, window; int trigger; } OldAct;

static void freeOld(OldAct *v, int n) {
  for (int i = 0; v && i < n; i++) free(v[i].name);
  free(v);
}

/* The activities of the currently deployed version, by name. */
static int oldActivities(Engine *e, int64_t campaign, OldAct **out, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  const ProgCampaign *c = &l->p->camps[l->camp];
  OldAct *v = calloc(c->nact ? c->nact : 1, sizeof *v);
  if (!v) { snprintf(err, errSize, "out of memory"); return -1; }
  for (uint32_t i = 0; i < c->nact; i++) {
    const ProgActivity *a = &l->p->acts[c->firstAct + i];
    if (!(v[i].name = strdup(l->p->str[a->name]))) { freeOld(v, (int)i); snprintf(err, errSize, "out of memory"); return -1; }
    v[i].id = l->actId[c->firstAct + i];
    v[i].delay = a->delay; v[i].window = a->window; v[i].trigger = a->trigger;
  }
  *out = v;
  return (int)c->nact;
}

static const OldAct *findOld(const OldAct *v, int n, const char *name) {
  for (int i = 0; i < n; i++) if (!strcmp(v[i].name, name)) return &v[i];
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
                            int64_t parentActId, FILE *out, char *err, size_t errSize) {
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
  int positive = a->trigger >= TRIG_OPEN && a->trigger <= TRIG_BOUNCE;
  int k = a->trigger == TRIG_BEGIN ? 0 : a->trigger == TRIG_DONE ? 1 : positive ? 2 : 3;
  sqlite3_stmt *st = campStoreStmt(e, sql[k], err, errSize);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, actId);
  if (k == 2 && !a->window) sqlite3_bind_null(st, 2);
  else sqlite3_bind_int64(st, 2, k == 3 ? a->window + a->delay : k == 2 ? a->window : a->delay);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_int64(st, 4, k == 0 ? campaign : parentActId);
  if (k == 3) sqlite3_bind_int(st, 5, eventBit(a->trigger));
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  if (out && changes(e)) fprintf(out, "    %lld participants get '%s'\n", (long long)changes(e), p->str[a->name]);
  return 0;
}

static int deployCampaign(Engine *e, const Program *p, uint32_t ci, const uint8_t *img, size_t len, int start,
                          FILE *out, int *changed, char *err, size_t errSize) {
  const ProgCampaign *c = &p->camps[ci];
  const char *name = p->str[c->name], *what = c->isMailing ? "mailing" : "campaign";
  char hex[65];
  campProgramHashHex(p, hex);
  int64_t now = campEngineNow(e), campaign = 0;
  int version = 0;
  char oldHash[65] = "", state[16] = "draft";
  sqlite3_stmt *st = campStorePrepare(e, "SELECT c.id, c.version, v.hash, c.state FROM camp_campaign c "
                                         "JOIN camp_version v ON v.campaign = c.id AND v.version = c.version WHERE c.name = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    campaign = sqlite3_column_int64(st, 0);
    version = sqlite3_column_int(st, 1);
    snprintf(oldHash, sizeof oldHash, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(state, sizeof state, "%s", (const char *)sqlite3_column_text(st, 3));
  }
  sqlite3_finalize(st);
  if (campaign && !strcmp(oldHash, hex)) {
    if (out) fprintf(out, "%s %s: unchanged (version %d)\n", what, name, version);
    if (start && strcmp(state, "running")) {
      *changed = 1;
      if (out) fprintf(out, "  state %s -> running\n", state);
      return campStoreSetState(e, name, "running", err, errSize);
    }
    return 0;
  }
  *changed = 1;
  OldAct *old = NULL;
  int nold = 0;
  if (campaign && (nold = oldActivities(e, campaign, &old, err, errSize)) < 0) return -1;
  if (out) fprintf(out, campaign ? "%s %s: version %d -> %d\n" : "%s %s: new\n", what, name, version, version + 1);
  if (!campaign) {
    st = campStorePrepare(e, "INSERT INTO camp_campaign(name, title, model, state, version, kind) VALUES(?, ?, ?, 'draft', 0, ?)", err, errSize);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->str[c->title], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->str[p->models[c->model].name], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, what, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
    campaign = sqlite3_last_insert_rowid(e->db);
  }
  st = campStorePrepare(e, "INSERT INTO camp_version(campaign, version, hash, image, deployed_at) VALUES(?, ?, ?, ?, ?)", err, errSize);
  if (!st) { freeOld(old, nold); return -1; }
  sqlite3_bind_int64(st, 1, campaign);
  sqlite3_bind_int(st, 2, version + 1);
  sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 4, img, (int)len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, now);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); freeOld(old, nold); return -1; }
  st = campStorePrepare(e, start ? "UPDATE camp_campaign SET version = ?3, title = ?1, at = ?2, state = 'running' WHERE id = ?4"
                                  : "UPDATE camp_campaign SET version = ?3, title = ?1, at = ?2 WHERE id = ?4", err, errSize);
  if (!st) { freeOld(old, nold); return -1; }
  sqlite3_bind_text(st, 1, p->str[c->title], -1, SQLITE_STATIC);
  if (c->isMailing && c->at) sqlite3_bind_int64(st, 2, c->at); else sqlite3_bind_null(st, 2);
  sqlite3_bind_int(st, 3, version + 1);
  sqlite3_bind_int64(st, 4, campaign);
  sqlite3_step(st);
  sqlite3_finalize(st);
  /* activities by name: upsert, then mark the ones that are gone */
  rc = campStoreRun(e, "UPDATE camp_activity SET idx = -1 WHERE campaign = ?", "i", campaign);
  if (rc < 0) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  st = campStorePrepare(e, "INSERT INTO camp_activity(campaign, name, kind, idx) VALUES(?, ?, ?, ?) "
                           "ON CONFLICT(campaign, name) DO UPDATE SET kind = excluded.kind, idx = excluded.idx", err, errSize);
  for (uint32_t i = 0; st && rc == 0 && i < c->nact; i++) {
    const ProgActivity *a = &p->acts[c->firstAct + i];
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, p->str[a->name], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, a->kind);
    sqlite3_bind_int(st, 4, (int)(c->firstAct + i));
    if (sqlite3_step(st) != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); rc = -1; }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (rc < 0) { freeOld(old, nold); return -1; }
  campStoreForget(e, campaign);
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) { freeOld(old, nold); return -1; }
  /* removed activities: cancel their pending traces */
  for (int i = 0; i < nold; i++) {
    if (campProgramFindActivity(p, ci, old[i].name) != CAMP_NONE) continue;
    if (out) fprintf(out, "  - activity %s removed\n", old[i].name);
    if (campStoreRun(e, "UPDATE camp_trace SET state = " Q_CANCELED ", message = 'activity removed from the campaign', done_at = ? "
                        "WHERE activity = ? AND state IN (" Q_SCHEDULED ", " Q_WAITING ")", "ii", now, old[i].id) < 0) {
      snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
      freeOld(old, nold);
      return -1;
    }
    if (out && changes(e)) fprintf(out, "    %lld pending traces canceled\n", (long long)changes(e));
  }
  for (uint32_t i = 0; i < c->nact; i++) {
    uint32_t ai = c->firstAct + i;
    const ProgActivity *a = &p->acts[ai];
    const OldAct *o = findOld(old, nold, p->str[a->name]);
    if (!o) {
      if (out) fprintf(out, "  + activity %s (%s)\n", p->str[a->name], a->trigger == TRIG_BEGIN ? "top level" : "child");
      if (campaign && nold && reachNewActivity(e, campaign, p, a, l->actId[ai], a->parent != CAMP_NONE ? l->actId[a->parent] : 0,
                                               out, err, errSize) < 0) { freeOld(old, nold); return -1; }
      continue;
    }
    if (o->delay != a->delay || o->window != a->window || o->trigger != a->trigger) {
      if (out) fprintf(out, "  ~ activity %s: delay %llds -> %llds%s\n", p->str[a->name], (long long)o->delay,
                       (long long)a->delay, o->window != a->window ? ", window changed" : "");
      /* pending traces take the new delays from the time their trigger fired */
      int64_t add = a->delay + (a->trigger >= TRIG_NO_OPEN ? a->window : 0);
      if (campStoreRun(e, "UPDATE camp_trace SET due = base + ? WHERE activity = ? AND state = " Q_SCHEDULED " AND base IS NOT NULL",
                       "ii", add, l->actId[ai]) < 0) {
        snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
        freeOld(old, nold);
        return -1;
      }
      if (out && changes(e)) fprintf(out, "    %lld pending traces move\n", (long long)changes(e));
    }
  }
  freeOld(old, nold);
  /* participants left with nothing pending (their activity was removed) end */
  if (campaign && campStoreCompleteCampaign(e, campaign) < 0) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  return 0;
}

int campStoreDeploy(Engine *e, const Program *p, const uint8_t *img, size_t len, int start, int dryRun, FILE *out,
                    int *changed, char *err, size_t errSize) {
  int rc = 0;
  for (uint32_t m = 0; m < p->nmodel && rc == 0; m++) rc = ensureModel(e, p, m, dryRun ? out : NULL, err, errSize);
  for (uint32_t c = 0; c < p->ncamp && rc == 0; c++) rc = deployCampaign(e, p, c, img, len, start, out, changed, err, errSize);
  return rc;
}

int64_t campStoreCampaignState(Engine *e, const char *name, int *running, char *err, size_t errSize) {
  sqlite3_stmt *st = campStoreStmt(e, "SELECT id, state FROM camp_campaign WHERE name = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  int64_t id = 0;
  *running = 0;
  if (sqlite3_step(st) == SQLITE_ROW) { id = sqlite3_column_int64(st, 0); *running = !strcmp((const char *)sqlite3_column_text(st, 1), "running"); }
  sqlite3_reset(st);
  return id;
}

void campStoreForgetAll(Engine *e) {
  while (e->ncache) campStoreForget(e, e->cache[0].campaign);
}

int campStoreSetState(Engine *e, const char *campaign, const char *state, char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e, "UPDATE camp_campaign SET state = ? WHERE name = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, campaign, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  if (sqlite3_changes(e->db) == 0) { snprintf(err, errSize, "no campaign '%s' is deployed", campaign); return -1; }
  return 0;
}
