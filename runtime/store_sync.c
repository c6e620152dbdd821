/*
** runtime/store_sync.c -- ESP syncs in the database: what a deploy makes
** of an image's `sync` declarations, and finding a deployed one.
**
** Owns: deploying syncs (camp_sync upserted; each property that changed
** printed as plan prints a website's; the image its field templates are
** compiled in kept in camp_image), loading a deployed sync's program, and
** listing deployed syncs.  Does not own: what a sync does (runtime/sync*.c
** and the drivers runtime/esp_*.c), cursors and imports (their store
** files), list membership (store_list.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/plan.h"
#include "runtime/store_engine.h"

enum { Y_TITLE, Y_LIST, Y_ESP, Y_REMOTE, Y_SEGMENT, Y_EVERY, Y_FIELDS, NY };
static const char *const COLS[NY] = { "title", "list", "esp", "remote", "segment", "every", "fields" };

const char *campStoreSyncEspName(int esp) { return esp == ESP_MAILCHIMP ? "mailchimp" : esp == ESP_DOTDIGITAL ? "dotdigital" : "?"; }

/* A sync's properties as the row keeps them (texts; NULL: none), into v
** (the fields' lines and the period written into the bufs). */
static void rowOf(const Program *p, const ProgSync *y, const char *v[NY], Buf *fields, char every[24]) {
  const ProgList *l = &p->lists[y->list];
  const ProgModel *m = &p->models[l->model];
  v[Y_TITLE] = p->str[y->title];
  v[Y_LIST] = p->str[l->name];
  v[Y_ESP] = campStoreSyncEspName(y->esp);
  v[Y_REMOTE] = p->str[y->remote];
  v[Y_SEGMENT] = y->segment != CAMP_NONE ? p->str[y->segment] : NULL;
  snprintf(every, 24, "%lld", (long long)y->every);
  v[Y_EVERY] = every;
  for (uint32_t f = y->field0; f < y->field0 + y->nfield; f++) {
    const ProgSyncField *x = &p->sfields[f];
    if (f > y->field0) campBufPuts(fields, "\n");
    campBufPuts(fields, p->str[x->tag]);
    campBufPuts(fields, " = ");
    if (x->field != CAMP_NONE) campBufPuts(fields, p->str[m->fields[x->field].name]);
    else campBufPuts(fields, "(template)");
  }
  campBufPut(fields, "", 1);
  v[Y_FIELDS] = fields->p;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* The stored row of sync name into old[] (malloc'd texts); 1 found, 0 not,
** -1 error. */
static int loadRow(Engine *e, const char *name, char *old[NY], char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT title, list, esp, remote, segment, every, fields FROM camp_sync WHERE name = ?",
                                      err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  int rc = campDbStep(st), found = rc == DB_ROW;
  for (int i = 0; found && i < NY; i++) {
    const char *t = campStoreDbTextOrNull(st, i);
    old[i] = t ? strdup(t) : NULL;
  }
  if (rc != DB_ROW && rc != DB_DONE) found = campStoreConnError(e, err, errSize);
  campDbFinalize(st);
  return found;
}

/* The row upserted; a changed provider, audience or address book forgets
** what was learnt of the old one (its id, cursors, seen activity). */
static int storeRow(Engine *e, const char *name, const char *v[NY], const char *image, int64_t now, int moved) {
  int rc = campStoreDbRun(e, "INSERT INTO camp_sync(name, title, list, esp, remote, segment, every, fields, image, deployed_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(name) DO UPDATE SET title = ?2, list = ?3, "
                           "esp = ?4, remote = ?5, segment = ?6, every = ?7, fields = ?8, image = ?9, deployed_at = ?10",
                        "ttttttitti", name, v[Y_TITLE], v[Y_LIST], v[Y_ESP], v[Y_REMOTE], v[Y_SEGMENT],
                        (int64_t)atoll(v[Y_EVERY]), v[Y_FIELDS], image, now);
  if (rc < 0 || !moved) return rc;
  if (campStoreDbRun(e, "UPDATE camp_sync SET remote_id = NULL, last_run = NULL, last_error = NULL WHERE name = ?", "t", name) < 0 ||
      campStoreDbRun(e, "DELETE FROM camp_sync_cursor WHERE sync = ?", "t", name) < 0)
    return -1;
  return campStoreDbRun(e, "DELETE FROM camp_sync_seen WHERE sync = ?", "t", name);
}

static int deploySync(Engine *e, const Program *p, const ProgSync *y, const char *image, const Plan *pl, DeployStats *stats,
                      char *err, size_t errSize) {
  const char *name = p->str[y->name], *v[NY];
  char *old[NY] = { 0 }, every[24];
  Buf fields = { 0 };
  rowOf(p, y, v, &fields, every);
  int changed = 0, found = fields.oom ? -1 : loadRow(e, name, old, err, errSize), rc = found < 0 ? -1 : 0;
  if (fields.oom) snprintf(err, errSize, "out of memory");
  for (int i = 0; rc == 0 && i < NY; i++) changed |= found && !same(old[i], v[i]);
  int moved = found && (!same(old[Y_ESP], v[Y_ESP]) || !same(old[Y_REMOTE], v[Y_REMOTE]) || !same(old[Y_SEGMENT], v[Y_SEGMENT]));
  if (rc == 0 && storeRow(e, name, v, image, campEngineNow(e), moved) < 0) rc = campStoreConnError(e, err, errSize);
  if (rc == 0 && !found) {
    campPlanLine(pl, 0, '+', "sync %s (new, list %s to %s \"%s\")", name, v[Y_LIST], v[Y_ESP], v[Y_REMOTE]);
    stats->add++;
  } else if (rc == 0 && changed) {
    campPlanLine(pl, 0, '~', "sync %s", name);
    for (int i = 0; i < NY; i++)
      if (!same(old[i], v[i]))
        campPlanField(pl, 4, COLS[i], old[i], old[i] ? strlen(old[i]) : 0, v[i], v[i] ? strlen(v[i]) : 0);
    stats->change++;
  } else if (rc == 0) campPlanLine(pl, 0, 0, "sync %s: no changes (list %s to %s)", name, v[Y_LIST], v[Y_ESP]);
  for (int i = 0; i < NY; i++) free(old[i]);
  free(fields.p);
  return rc;
}

int campStoreDeploySyncs(Engine *e, const Program *p, const DeployImage *im, const DeployOptions *o, DeployStats *stats,
                         char *err, size_t errSize) {
  Plan pl = { o->out, o->color };
  char hash[65];
  campProgramHashHex(p, hash);
  if (p->nsync && campStoreImageKeep(e, im, hash, err, errSize) < 0) return -1;
  for (uint32_t i = 0; i < p->nsync; i++)
    if (deploySync(e, p, &p->syncs[i], hash, &pl, stats, err, errSize) < 0) return -1;
  return 0;
}

Program *campStoreSyncProgram(Engine *e, const char *name, uint32_t *si, char *err, size_t errSize) {
  Program *p = campStoreImageProgram(e, "SELECT i.image FROM camp_sync y JOIN camp_image i ON i.hash = y.image WHERE y.name = ?",
                                     name, "sync", "camp sync --list", err, errSize);
  if (!p) return NULL;
  for (*si = 0; *si < p->nsync; (*si)++) if (!strcmp(p->str[p->syncs[*si].name], name)) return p;
  snprintf(err, errSize, "the image of sync '%s' lacks it", name);
  campProgramFree(p);
  return NULL;
}

int campStoreSyncNames(Engine *e, char ***names, size_t *n, char *err, size_t errSize) {
  return campStoreColumnTexts(e, "SELECT name FROM camp_sync ORDER BY name", names, n, err, errSize);
}
