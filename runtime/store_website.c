/*
** runtime/store_website.c -- tracked websites: what a deploy makes of an
** image's `website` declarations.
**
** Owns: deploying websites (camp_website upserted, each property that
** changed printed as plan prints an initiative's; a site_id that another
** deployed website has is refused and the deploy fails); finding a
** deployed website by its site_id for the collector.  Does not own:
** hits (the collector, store_hit.c), visits (store_visit.c) or reports.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/plan.h"
#include "runtime/store_engine.h"

enum { W_TITLE, W_SITE, W_URL, W_MODEL, W_IDENTIFY, W_CODE, W_INITIATIVE, W_LINK, W_GOALS, NW };
static const char *const COLS[NW] = { "title", "site_id", "url", "model", "identify", "code", "initiative", "link_token", "goals" };

/* A website's properties as the row keeps them (texts; NULL: none), into
** v (goals and link_token written into the bufs). */
static void rowOf(const Program *p, const ProgWebsite *w, const char *v[NW], Buf *goals) {
  const ProgModel *m = w->model != CAMP_NONE ? &p->models[w->model] : NULL;
  v[W_TITLE] = p->str[w->title];
  v[W_SITE] = p->str[w->siteId];
  v[W_URL] = p->str[w->url];
  v[W_MODEL] = m ? p->str[m->name] : NULL;
  v[W_IDENTIFY] = m && w->identify != CAMP_NONE ? p->str[m->fields[w->identify].name] : NULL;
  v[W_CODE] = w->code != CAMP_NONE ? p->str[w->code] : NULL;
  v[W_INITIATIVE] = w->initiative != CAMP_NONE ? p->str[p->inits[w->initiative].name] : NULL;
  v[W_LINK] = w->linkToken ? "true" : "false";
  for (uint32_t g = 0; g < w->ngoal; g++) {
    if (g) campBufPuts(goals, "\n");
    campBufPuts(goals, p->str[p->goals[w->goal0 + g]]);
  }
  campBufPut(goals, "", 1);
  v[W_GOALS] = goals->p;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* The stored row of website name into old[] (malloc'd texts); 1 found, 0
** not, -1 error. */
static int loadRow(Engine *e, const char *name, char *old[NW], char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT title, site_id, url, model, identify, code, initiative, "
                                         "CASE link_token WHEN 1 THEN 'true' ELSE 'false' END, goals FROM camp_website WHERE name = ?",
                                      err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  int rc = campDbStep(st), found = rc == DB_ROW;
  for (int i = 0; found && i < NW; i++) {
    const char *t = campStoreDbTextOrNull(st, i);
    old[i] = t ? strdup(t) : NULL;
  }
  if (rc != DB_ROW && rc != DB_DONE) found = campStoreConnError(e, err, errSize);
  campDbFinalize(st);
  return found;
}

/* Another deployed website with this site_id: its name (malloc'd), or NULL. */
static char *siteOwner(Engine *e, const char *name, const char *siteId) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT name FROM camp_website WHERE site_id = ? AND name <> ?", NULL, 0);
  if (!st) return NULL;
  campDbBindText(st, 1, siteId, -1);
  campDbBindText(st, 2, name, -1);
  char *owner = campDbStep(st) == DB_ROW ? strdup(campDbColumnText(st, 0)) : NULL;
  campDbFinalize(st);
  return owner;
}

static int storeRow(Engine *e, const char *name, const char *v[NW], int64_t now) {
  return campStoreDbRun(e, "INSERT INTO camp_website(name, title, site_id, url, model, identify, code, initiative, link_token, goals, "
                         "deployed_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(name) DO UPDATE SET "
                         "title = ?2, site_id = ?3, url = ?4, model = ?5, identify = ?6, code = ?7, initiative = ?8, "
                         "link_token = ?9, goals = ?10, deployed_at = ?11",
                      "ttttttttiti", name, v[W_TITLE], v[W_SITE], v[W_URL], v[W_MODEL], v[W_IDENTIFY], v[W_CODE],
                      v[W_INITIATIVE], (int64_t)!strcmp(v[W_LINK], "true"), v[W_GOALS], now);
}

static int deployWebsite(Engine *e, const Program *p, const ProgWebsite *w, const Plan *pl, DeployStats *stats,
                         char *err, size_t errSize) {
  const char *name = p->str[w->name], *v[NW];
  char *old[NW] = { 0 };
  Buf goals = { 0 };
  rowOf(p, w, v, &goals);
  int changed = 0, found = goals.oom ? -1 : loadRow(e, name, old, err, errSize), rc = found < 0 ? -1 : 0;
  if (goals.oom) snprintf(err, errSize, "out of memory");
  char *owner = rc == 0 ? siteOwner(e, name, v[W_SITE]) : NULL;
  if (owner) {
    snprintf(err, errSize, "website %s: site_id \"%s\" is taken by deployed website %s: each site has its own", name, v[W_SITE], owner);
    rc = -1;
  }
  for (int i = 0; rc == 0 && i < NW; i++) changed |= found && !same(old[i], v[i]);
  if (rc == 0 && (!found || changed) && storeRow(e, name, v, campEngineNow(e)) < 0) rc = campStoreConnError(e, err, errSize);
  if (rc == 0 && !found) {
    campPlanLine(pl, 0, '+', "website %s (new, site_id \"%s\", %s)", name, v[W_SITE], v[W_URL]);
    stats->add++;
  } else if (rc == 0 && changed) {
    campPlanLine(pl, 0, '~', "website %s", name);
    for (int i = 0; i < NW; i++)
      if (!same(old[i], v[i]))
        campPlanField(pl, 4, COLS[i], old[i], old[i] ? strlen(old[i]) : 0, v[i], v[i] ? strlen(v[i]) : 0);
    stats->change++;
  } else if (rc == 0) campPlanLine(pl, 0, 0, "website %s: no changes (site_id \"%s\")", name, v[W_SITE]);
  for (int i = 0; i < NW; i++) free(old[i]);
  free(owner);
  free(goals.p);
  return rc;
}

int campStoreDeployWebsites(Engine *e, const Program *p, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize) {
  Plan pl = { o->out, o->color };
  for (uint32_t i = 0; i < p->nsite; i++)
    if (deployWebsite(e, p, &p->sites[i], &pl, stats, err, errSize) < 0) return -1;
  return 0;
}

int campStoreSiteFind(Engine *e, const char *siteId, StoreSite *out, char *err, size_t errSize) {
  memset(out, 0, sizeof *out);
  DbStmt *st = campStoreDbStmt(e, "SELECT name, model, identify, code FROM camp_website WHERE site_id = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, siteId, -1);
  int rc = campDbStep(st), found = rc == DB_ROW;
  char **to[] = { &out->name, &out->model, &out->identify, &out->code };
  for (int i = 0; found && i < 4; i++) {
    const char *t = campStoreDbTextOrNull(st, i);
    if (t && !(*to[i] = strdup(t))) found = -1;
  }
  if (rc != DB_ROW && rc != DB_DONE) found = campStoreConnError(e, err, errSize);
  else if (found < 0) snprintf(err, errSize, "out of memory");
  campDbReset(st);
  if (found < 0) campStoreSiteFree(out);
  return found;
}

void campStoreSiteFree(StoreSite *w) {
  free(w->name);
  free(w->model);
  free(w->identify);
  free(w->code);
  memset(w, 0, sizeof *w);
}
