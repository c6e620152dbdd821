/*
** runtime/engine.c -- the front door's operations that span rooms.
**
** Owns: deploy and plan as one operation: the store keeps the image and
** applies the sync rules to participants in flight (store_deploy.c); a
** plan also asks the scheduler what its next sync of each campaign would
** do, inside the transaction that is then rolled back, so what plan says
** is exactly what deploy does.  Does not own: the SQL (store_*.c), the
** sync (sched.c) or how a change is printed (plan.c).
*/
#include <stdio.h>
#include "runtime/plan.h"
#include "runtime/sched_send.h"

/* What the next sync of a deployed campaign would do, under its lines
** (inside the transaction about to be rolled back). */
static int planSync(Engine *e, const Program *p, uint32_t c, const DeployedCampaign *dc, const DeployOptions *o,
                    DeployStats *stats, char *err, size_t errSize) {
  RunStats rs = { 0 };
  if (dc->id && dc->running && campSchedSync(e, dc->id, &rs, err, errSize) < 0) return -1;
  Plan pl = { o->out, o->color };
  const char *what = p->camps[c].isMailing ? "mailing" : "campaign", *name = p->str[p->camps[c].name];
  if (!dc->changed && (rs.enrolled || rs.left)) campPlanLine(&pl, 0, '~', "%s %s (version %d)", what, name, dc->version);
  char effect[CAMP_PLAN_EFFECT_SIZE];
  campPlanEffect(rs.enrolled, rs.left, effect);
  if (*effect) campPlanLine(&pl, 2, 0, "%s", effect);
  stats->enrolled += rs.enrolled;
  stats->left += rs.left;
  return rs.enrolled || rs.left;
}

/* Every campaign of an image, one after the other (a plan syncs each
** before the next is deployed: campaigns share no participants).  1 when
** something changed, 0 when nothing did, -1 on error. */
static int deployImage(Engine *e, const DeployImage *im, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize) {
  Program *p = campProgramLoad(im->img, im->len, err, errSize);
  if (!p) return -1;
  DeployStats before = *stats;
  Plan pl = { o->out, o->color };
  int changed = 0, rc = campStoreDeployModels(e, p, o, stats, err, errSize);
  if (rc == 0) rc = campStoreDeployLists(e, p, im, o, stats, err, errSize);
  for (uint32_t c = 0; rc == 0 && c < p->ncamp; c++) {
    DeployedCampaign dc;
    if ((rc = campStoreDeployCampaign(e, p, c, im, o, stats, &dc, err, errSize)) < 0) break;
    int synced = o->dryRun ? planSync(e, p, c, &dc, o, stats, err, errSize) : 0;
    if ((rc = synced < 0 ? -1 : 0) < 0) break;
    if (!dc.changed && !synced)
      campPlanLine(&pl, 0, 0, "%s %s: no changes (version %d)", p->camps[c].isMailing ? "mailing" : "campaign", p->str[p->camps[c].name],
                   dc.version);
    changed |= dc.changed || synced;
  }
  if (rc == 0) rc = campStoreDeployInitiatives(e, p, o, stats, err, errSize);
  if (rc == 0) rc = campStoreDeployWebsites(e, p, o, stats, err, errSize);
  if (rc == 0) rc = campStoreDeploySyncs(e, p, im, o, stats, err, errSize);
  campProgramFree(p);
  return rc < 0 ? -1 : changed || stats->add != before.add || stats->change != before.change;
}

int campEngineDeploy(Engine *e, const DeployImage *images, size_t n, const DeployOptions *o, char *err, size_t errSize) {
  DeployStats local = { 0 }, *stats = o->stats ? o->stats : &local;
  if (campStoreBegin(e, 1, err, errSize) < 0) return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc >= 0; i++) {
    int r = deployImage(e, &images[i], o, stats, err, errSize);
    rc = r < 0 ? -1 : rc | r;
  }
  if (rc >= 0 && !o->dryRun && campStoreCommit(e, err, errSize) < 0) rc = -1;
  else if (rc < 0 || o->dryRun) campStoreRollback(e);
  if (o->dryRun || rc < 0) campStoreForgetAll(e);    /* the cache may hold versions that were rolled back */
  return rc;
}

void campEngineDeploySummary(const DeployStats *s, const DeployOptions *o) {
  Plan pl = { o->out, o->color };
  campPlanSummary(&pl, s, o->dryRun);
}
