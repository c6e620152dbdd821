/*
** runtime/engine.c -- the front door's operations that span rooms.
**
** Owns: deploy and plan as one operation: the store keeps the image and
** applies the sync rules to participants in flight (store_deploy.c); a
** plan also asks the scheduler what its next sync would do, inside the
** transaction that is then rolled back, so what plan says is exactly what
** deploy does.  Does not own: the SQL (store_*.c) or the sync (sched.c).
*/
#include <stdio.h>
#include "runtime/sched_send.h"

/* The plan's last lines: what the next sync of each deployed campaign of p
** would do (inside the transaction about to be rolled back). */
static int planSync(Engine *e, const Program *p, int start, FILE *out, char *err, size_t errSize) {
  for (uint32_t c = 0; c < p->ncamp; c++) {
    int running;
    int64_t id = campStoreCampaignState(e, p->str[p->camps[c].name], &running, err, errSize);
    if (id < 0) return -1;
    if (!id || (!running && !start)) continue;
    RunStats rs = { 0 };
    if (campSchedSync(e, id, &rs, err, errSize) < 0) return -1;
    if (rs.enrolled || rs.left)
      fprintf(out, "campaign %s: %ld records would be enrolled now, %ld participants would leave\n",
              p->str[p->camps[c].name], rs.enrolled, rs.left);
  }
  return 0;
}

int campEngineDeploy(Engine *e, const uint8_t *img, size_t len, int start, int dryRun, FILE *out,
                     char *err, size_t errSize) {
  Program *p = campProgramLoad(img, len, err, errSize);
  if (!p) return -1;
  int changed = 0;
  if (campStoreBegin(e, 1, err, errSize) < 0) { campProgramFree(p); return -1; }
  int rc = campStoreDeploy(e, p, img, len, start, dryRun, out, &changed, err, errSize);
  if (rc == 0 && dryRun) rc = planSync(e, p, start, out, err, errSize);
  if (rc == 0 && !dryRun) rc = campStoreCommit(e, err, errSize);
  else campStoreRollback(e);
  if (dryRun || rc < 0) campStoreForgetAll(e);    /* the cache may hold versions that were rolled back */
  campProgramFree(p);
  if (rc < 0) return -1;
  return dryRun ? changed : 0;
}
