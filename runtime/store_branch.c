/*
** runtime/store_branch.c -- what branch nodes keep in the store, and the
** report's view of them (docs/RUNTIME.md "Splits, conditions and A/B
** tests", docs/report.md "Splits, conditions and A/B tests").
**
** Owns: an A/B winner's choice on its trace (camp_trace.path and
** message), the number of traces of an activity per path, and a
** campaign's "branches" in the report: per split, if or A/B test node of
** its current version, per path the participants that took it and the
** message counts of the emails and SMS on it, and an A/B test's winner.
** Does not own: choosing paths (sched_branch.c), a node's own path
** (campStoreSetPath, store_trace.c), the activities' counts the paths sum
** (store_counts.c, through the report's "activities"), rates (store_report.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

int campStoreBranchChoose(Engine *e, int64_t trace, int path, const char *note) {
  return campStoreDbRun(e, "UPDATE camp_trace SET path = ?, message = ? WHERE id = ?", "iti", (int64_t)path, note, trace);
}

/* The path and note of the one row sql (bound to id) finds: 1, 0 none, -1 error. */
static int chosenBy(Engine *e, const char *sql, int64_t id, int *path, char *note, size_t noteSize) {
  char ign[160];
  DbStmt *st = campStoreDbStmt(e, sql, ign, sizeof ign);
  if (!st) return -1;
  campDbBindInt64(st, 1, id);
  int rc = campDbStep(st), found = rc == DB_ROW;
  if (found) {
    *path = (int)campDbColumnInt64(st, 0);
    snprintf(note, noteSize, "%s", campDbColumnText(st, 1));
  }
  campDbReset(st);
  return found || rc == DB_DONE ? found : -1;
}

int campStoreBranchChosen(Engine *e, int64_t trace, int *path, char *note, size_t noteSize) {
  return chosenBy(e, "SELECT path, message FROM camp_trace WHERE id = ? AND path IS NOT NULL", trace, path, note, noteSize);
}

int campStoreWinnerChosen(Engine *e, int64_t activity, int *path, char *note, size_t noteSize) {
  return chosenBy(e, "SELECT t.path, t.message FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant"
                     " WHERE t.activity = ? AND t.path IS NOT NULL AND pa.test = 0 ORDER BY t.id LIMIT 1", activity, path, note, noteSize);
}

int campStoreBranchPaths(Engine *e, int64_t activity, int64_t *counts, uint32_t n, char *err, size_t errSize) {
  memset(counts, 0, n * sizeof *counts);
  DbStmt *st = campDbPrepare(e->conn, "SELECT t.path, count(*) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant"
                                         " WHERE t.activity = ? AND t.path IS NOT NULL AND pa.test = 0 GROUP BY t.path", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, activity);
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    int64_t k = campDbColumnInt64(st, 0);
    if (k >= 0 && k < (int64_t)n) counts[k] = campDbColumnInt64(st, 1);
  }
  return campDbFinish(st, rc, err, errSize);
}

/* -- the report's branches ------------------------------------------------------ */

/* The message counts a path sums over its emails and SMS (the activity's keys). */
static const char *const SUMMED[] = { "sent", "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed" };
#define NSUMMED (sizeof SUMMED / sizeof SUMMED[0])

/* Is activity j of p on path k of node: under it, through a child on that path? */
static int onPath(const Program *p, uint32_t j, uint32_t node, uint32_t k) {
  for (uint32_t cur = j; p->acts[cur].parent != CAMP_NONE; cur = p->acts[cur].parent)
    if (p->acts[cur].parent == node) return p->acts[cur].path == k;
  return 0;
}

/* The report's activity named name (a current one), or NULL. */
static json_t *activityNamed(json_t *acts, const char *name) {
  size_t i;
  json_t *a;
  json_array_foreach(acts, i, a)
    if (json_is_true(json_object_get(a, "active")) && !strcmp(json_string_value(json_object_get(a, "name")), name)) return a;
  return NULL;
}

/* Path k of node i: its activities (every one under it, nested ones too)
** and the sums of their message counts. */
static json_t *pathJson(const Loaded *l, uint32_t i, uint32_t k, json_t *acts, const char *label, json_t *share, int64_t taken) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  json_t *names = json_array();
  json_int_t sum[NSUMMED] = { 0 };
  for (uint32_t j = c->firstAct; j < c->firstAct + c->nact; j++) {
    if (!onPath(p, j, i, k)) continue;
    json_array_append_new(names, json_string(p->str[p->acts[j].name]));
    json_t *a = activityNamed(acts, p->str[p->acts[j].name]);
    for (size_t m = 0; a && json_object_get(a, "sent") && m < NSUMMED; m++) sum[m] += json_integer_value(json_object_get(a, SUMMED[m]));
  }
  json_t *o = json_pack("{s:s,s:o,s:I,s:o}", "label", label, "share", share, "participants", (json_int_t)taken, "activities", names);
  for (size_t m = 0; m < NSUMMED; m++) json_object_set_new(o, SUMMED[m], json_integer(sum[m]));
  return o;
}

/* An A/B test's winner email among the node's children, or CAMP_NONE. */
static uint32_t winnerOf(const Program *p, const ProgCampaign *c, uint32_t node) {
  for (uint32_t j = c->firstAct; j < c->firstAct + c->nact; j++)
    if (p->acts[j].parent == node && p->acts[j].abMetric) return j;
  return CAMP_NONE;
}

/* The only activity directly on path k of node (an A/B test's variant), or CAMP_NONE. */
static uint32_t variantOf(const Program *p, const ProgCampaign *c, uint32_t node, uint32_t k) {
  for (uint32_t j = c->firstAct; j < c->firstAct + c->nact; j++)
    if (p->acts[j].parent == node && p->acts[j].path == k) return j;
  return CAMP_NONE;
}

/* The A/B test parts of node's object b: the metric, how many winner
** emails sent each variant (its path's "chosen"), and the variant most of
** them sent ("winner", null before any was chosen). */
static int testJson(Engine *e, const Loaded *l, uint32_t node, uint32_t winner, json_t *b, char *err, size_t errSize) {
  const Program *p = l->p;
  const ProgActivity *a = &p->acts[node];
  int64_t chosen[64];
  uint32_t nv = a->nshare - 1 < 64 ? a->nshare - 1 : 64;
  if (campStoreBranchPaths(e, l->actId[winner], chosen, nv, err, errSize) < 0) return -1;
  json_object_set_new(b, "metric", json_string(p->acts[winner].abMetric == AB_CLICKS ? "clicks" : "opens"));
  json_t *paths = json_object_get(b, "paths"), *best = json_null();
  int64_t most = 0;
  for (uint32_t k = 0; k < nv; k++) {
    json_t *path = json_array_get(paths, k);
    json_object_set_new(path, "chosen", json_integer(chosen[k]));
    if (chosen[k] > most) { most = chosen[k]; best = json_object_get(path, "label"); }
  }
  json_object_set_new(b, "winner", json_incref(best));
  return 0;
}

/* Node i of l as the report shows it. */
static json_t *branchJson(Engine *e, const Loaded *l, uint32_t i, json_t *acts, char *err, size_t errSize) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  const ProgActivity *a = &p->acts[i];
  uint32_t npath = a->kind == ACT_IF ? 2 : a->nshare, winner = a->kind == ACT_SPLIT ? winnerOf(p, c, i) : CAMP_NONE;
  int64_t taken[64];
  if (npath > 64) npath = 64;
  if (campStoreBranchPaths(e, l->actId[i], taken, npath, err, errSize) < 0) return NULL;
  json_t *paths = json_array();
  json_int_t total = 0;
  for (uint32_t k = 0; k < npath; k++) {
    char label[80];
    uint32_t v = winner != CAMP_NONE ? variantOf(p, c, i, k) : CAMP_NONE;
    if (a->kind == ACT_IF) snprintf(label, sizeof label, "%s", k ? "else" : "then");
    else if (v != CAMP_NONE) snprintf(label, sizeof label, "%s", p->str[p->acts[v].name]);
    else snprintf(label, sizeof label, "path %u", k + 1);
    json_t *share = a->kind == ACT_IF ? json_null() : json_real(p->shares[a->share0 + k] / 100.0);
    json_array_append_new(paths, pathJson(l, i, k, acts, label, share, taken[k]));
    total += taken[k];
  }
  json_t *b = json_pack("{s:s,s:s,s:I,s:o}", "name", p->str[a->name], "kind", a->kind == ACT_IF ? "if" : winner != CAMP_NONE ? "test" : "split",
                        "participants", total, "paths", paths);
  if (winner != CAMP_NONE && testJson(e, l, i, winner, b, err, errSize) < 0) { json_decref(b); return NULL; }
  return b;
}

int campStoreReportBranches(Engine *e, int64_t campaign, json_t *c, char *err, size_t errSize) {
  json_t *acts = json_object_get(c, "activities"), *a;
  size_t i;
  int any = 0;
  json_array_foreach(acts, i, a) {
    const char *kind = json_string_value(json_object_get(a, "kind"));
    any |= json_is_true(json_object_get(a, "active")) && (!strcmp(kind, "split") || !strcmp(kind, "if"));
  }
  if (!any) return 0;                               /* the report of a campaign without branches is as it was */
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  const ProgCampaign *pc = &l->p->camps[l->camp];
  json_t *branches = json_array();
  json_object_set_new(c, "branches", branches);
  for (uint32_t k = pc->firstAct; k < pc->firstAct + pc->nact; k++) {
    if (!campActIsBranch(l->p->acts[k].kind)) continue;
    json_t *b = branchJson(e, l, k, acts, err, errSize);
    if (!b) return -1;
    json_array_append_new(branches, b);
  }
  return 0;
}
