/*
** runtime/sched_branch.c -- split and if nodes, A/B winners
** (runtime/sched_timing.h; docs/RUNTIME.md "Splits, conditions and A/B
** tests").
**
** Owns: which path a participant takes at a branch node -- a split's by a
** stable hash of (campaign, node, record), an if's by its condition over
** the record as it is when the node comes due (null: else) -- recording
** it on the node's trace, and which variant an A/B test's winner email
** sends (the best rate of its split's variants when it comes due).  Does
** not own: SQL (store_branch.c), spawning the chosen path's children
** (campSchedPath, sched.c), composing the message (sched.c).
*/
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/sched_send.h"
#include "runtime/sched_timing.h"

#define SPLIT_DOMAIN "camp-split"       /* the hash's first part: no other SHA-256 in camp starts so */

uint32_t campSchedSplitBucket(const char *campaign, const char *node, int64_t record) {
  char id[24];
  int nid = snprintf(id, sizeof id, "%" PRId64, record);
  size_t nc = strlen(campaign), nn = strlen(node), nd = sizeof SPLIT_DOMAIN;   /* the domain with its NUL */
  size_t len = nd + nc + 1 + nn + 1 + (size_t)nid;
  unsigned char stack[256], *in = len <= sizeof stack ? stack : malloc(len);
  if (!in) return 0;
  memcpy(in, SPLIT_DOMAIN, nd);
  memcpy(in + nd, campaign, nc + 1);                /* each name with its NUL */
  memcpy(in + nd + nc + 1, node, nn + 1);
  memcpy(in + nd + nc + nn + 2, id, (size_t)nid);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdLen = 0;
  int ok = EVP_Digest(in, len, md, &mdLen, EVP_sha256(), NULL);
  if (in != stack) free(in);
  if (!ok) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | md[i];
  return (uint32_t)(v % 10000);
}

uint32_t campSchedSplitPath(const uint16_t *shares, uint32_t n, uint32_t bucket) {
  uint32_t upto = 0;
  for (uint32_t k = 0; k < n; k++) {
    upto += shares[k];
    if (bucket < upto) return k;
  }
  return n ? n - 1 : 0;                             /* shares summing to less than 10000: the loader refuses them */
}

void campSchedShareText(uint16_t bp, char *out, size_t n) {
  if (bp % 100 == 0) snprintf(out, n, "%u%%", bp / 100u);
  else if (bp % 10 == 0) snprintf(out, n, "%u.%u%%", bp / 100u, bp % 100u / 10u);
  else snprintf(out, n, "%u.%02u%%", bp / 100u, bp % 100u);
}

/* The path a split's participant takes, with its note ("path 2 of 3 (30%)"). */
static int splitPath(const Loaded *l, const ProgActivity *a, int64_t record, char *note, size_t n) {
  const Program *p = l->p;
  uint32_t bucket = campSchedSplitBucket(p->str[p->camps[l->camp].name], p->str[a->name], record);
  uint32_t k = campSchedSplitPath(p->shares + a->share0, a->nshare, bucket);
  char share[16];
  campSchedShareText(p->shares[a->share0 + k], share, sizeof share);
  snprintf(note, n, "path %u of %u (%s)", k + 1, a->nshare, share);
  return (int)k;
}

int campSchedBranch(Engine *e, DueTrace *w, const Loaded *l, int64_t now, RunStats *rs) {
  const ProgActivity *a = &l->p->acts[w->actIdx];
  char note[512];
  int path;
  if (a->kind == ACT_SPLIT) path = splitPath(l, a, w->record, note, sizeof note);
  else {
    /* the condition over the record as it is now: true then, false or null else */
    VmRecord r = campStoreRecord(e, l);
    SchedHost host;
    campSchedHost(&host, e, l, 0);
    int yes = campVmFilter(campStoreVm(e), l->p, a->filter, &r, now, &host.vm, note, sizeof note);
    if (yes < 0) {
      rs->errors++;
      return campStoreSetTrace(e, w->trace, TRACE_ERROR, note, now);
    }
    path = yes ? 0 : 1;
    snprintf(note, sizeof note, "%s", yes ? "then" : "else");
  }
  if (campStoreSetPath(e, w->trace, path) < 0 || campStoreSetTrace(e, w->trace, TRACE_PROCESSED, note, now) < 0) return -1;
  rs->processed++;
  return campSchedPath(e, l, (uint32_t)w->actIdx, path, w->trace, w->participant, w->record, now, &w->spawned);
}

/* -- A/B winners --------------------------------------------------------------- */

/* The variants of a winner email: the email children of its split on the
** other paths, by path (a mailing's test lowers to one per path). */
typedef struct Variants {
  const Loaded *l;
  uint32_t winner;
  uint32_t act[16];         /* image index per variant, in path order */
  int64_t sent[16], won[16];   /* sent, and opened or clicked */
  uint32_t n;
} Variants;

static void findVariants(Variants *v, const Loaded *l, uint32_t winner) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  const ProgActivity *w = &p->acts[winner];
  memset(v, 0, sizeof *v);
  v->l = l;
  v->winner = winner;
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact && v->n < 16; i++) {
    const ProgActivity *a = &p->acts[i];
    if (i != winner && a->parent == w->parent && a->kind == ACT_EMAIL && !a->abMetric) v->act[v->n++] = i;
  }
}

/* StoreCountsFn: a variant's sent and opened (or clicked) messages. */
static int countVariant(void *ctx, const StoreActivityCounts *c) {
  Variants *v = ctx;
  int clicks = v->l->p->acts[v->winner].abMetric == AB_CLICKS;
  for (uint32_t k = 0; k < v->n; k++)
    if (c->idx == (int)v->act[k]) { v->sent[k] = c->sent; v->won[k] = clicks ? c->clicked : c->opened; }
  return 0;
}

/* The variant with the best rate (ties: the earlier; none sent: the
** first), and the note saying so: "A/B winner: a (opens 31.0% vs b 24.5%)". */
static uint32_t bestVariant(const Variants *v, char *note, size_t n) {
  const Program *p = v->l->p;
  uint32_t best = 0;
  double rate[16];
  for (uint32_t k = 0; k < v->n; k++) {
    rate[k] = v->sent[k] ? (double)v->won[k] / (double)v->sent[k] : -1;
    if (rate[k] > rate[best]) best = k;
  }
  const char *metric = p->acts[v->winner].abMetric == AB_CLICKS ? "clicks" : "opens";
  size_t at = (size_t)snprintf(note, n, "A/B winner: %s (", p->str[p->acts[v->act[best]].name]);
  if (rate[best] < 0) { snprintf(note + at, at < n ? n - at : 0, "no variant sent yet: the first)"); return best; }
  at += (size_t)snprintf(note + at, at < n ? n - at : 0, "%s %.1f%% vs", metric, 100 * rate[best]);
  const char *sep = " ";
  for (uint32_t k = 0; k < v->n && at < n; k++) {
    if (k == best) continue;
    const char *name = p->str[p->acts[v->act[k]].name];
    if (rate[k] < 0) at += (size_t)snprintf(note + at, n - at, "%s%s not sent", sep, name);
    else at += (size_t)snprintf(note + at, n - at, "%s%s %.1f%%", sep, name, 100 * rate[k]);
    sep = ", ";
  }
  if (at < n) snprintf(note + at, n - at, ")");
  return best;
}

/* The winner, once chosen, for every later winner email of the test: a
** test has one winner.  The first winner email that comes due chooses it
** from the counts then (a mailing `at ... local` has waves across the
** zones: the first wave's test decides for the later ones, as the report
** says); it is recorded on that trace, and read back (campStoreWinnerChosen)
** by a runner that did not choose it.  Kept with the engine per campaign
** version and activity (campEngineWinner), so the traces are read once per
** process and test. */

/* The variant of v whose path is path, or CAMP_NONE. */
static uint32_t variantOnPath(const Variants *v, int path) {
  for (uint32_t k = 0; k < v->n; k++) if (v->l->p->acts[v->act[k]].path == (uint32_t)path) return v->act[k];
  return CAMP_NONE;
}

/* The test's winner into the engine's: the one recorded, else the best now.  0, -1 error. */
static int chooseOnce(Engine *e, const Loaded *l, uint32_t act, Variants *v) {
  EngineWinner *w = campEngineWinner(e);
  if (w->set && w->campaign == l->campaign && w->version == l->version && w->act == act) return 0;
  w->set = 0;
  int path = -1;
  int got = campStoreWinnerChosen(e, l->actId[act], &path, w->note, sizeof w->note);
  if (got < 0) return -1;
  uint32_t variant = got ? variantOnPath(v, path) : CAMP_NONE;
  if (variant == CAMP_NONE) {
    char err[256];
    if (campStoreActivityCounts(e, l->campaign, countVariant, v, err, sizeof err) < 0) return -1;
    variant = v->act[bestVariant(v, w->note, sizeof w->note)];
  }
  w->set = 1; w->campaign = l->campaign; w->version = l->version; w->act = act; w->variant = variant;
  return 0;
}

int campSchedWinner(Engine *e, const Loaded *l, uint32_t act, int64_t trace, char *note, size_t noteSize) {
  const ProgActivity *a = &l->p->acts[act];
  note[0] = 0;
  if (!a->abMetric) return (int)act;
  Variants v;
  findVariants(&v, l, act);
  if (!v.n) return (int)act;
  /* a send taken up again (a crash, a retry) sends what it chose; a
  ** retry's note replaced the choice's */
  int path = -1;
  int got = campStoreBranchChosen(e, trace, &path, note, noteSize);
  if (got < 0) return -1;
  uint32_t mine = got ? variantOnPath(&v, path) : CAMP_NONE;
  if (mine != CAMP_NONE) {
    if (strncmp(note, "A/B winner: ", 12)) snprintf(note, noteSize, "A/B winner: %s", l->p->str[l->p->acts[mine].name]);
    return (int)mine;
  }
  if (chooseOnce(e, l, act, &v) < 0) return -1;
  const EngineWinner *w = campEngineWinner(e);
  snprintf(note, noteSize, "%s", w->note);
  if (campStoreBranchChoose(e, trace, (int)l->p->acts[w->variant].path, note) < 0) return -1;
  return (int)w->variant;
}
