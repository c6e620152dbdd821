/*
** cli/graph.c -- `camp graph FILE` and `camp graph --db DB CAMPAIGN`: the
** workflow as Graphviz DOT on stdout.
**
** Owns: the two sources of a drawing.  A file is parsed with its `use`s
** (syntax errors exit 1, an unreadable file 2); names and types are not
** checked (that is `camp check`), so a half-written campaign still draws.
** With --db, or an operand that is no file and does not end in .camp, a
** campaign (or mailing) deployed in a database is drawn from the image the
** store keeps for its current version, with the store's numbers on each
** activity; one not deployed exits 1.  Does not own: the drawing
** (compiler/graph.c) or the counting (runtime/store_counts.c).
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/ast.h"
#include "compiler/graph.h"

static int fromFile(const CliArgs *a, const char *path) {
  Diags d;
  Unit u;
  campDiagInit(&d);
  if (campCliSetRoot(a->cmd, &d, a->opt[O_ROOT])) { campDiagFree(&d); return 2; }
  campUnitInit(&u, &d);
  int rc = 0, e = campParseUnit(&u, path);
  if (e < 0) rc = campCliUsage(a->cmd, "cannot read '%s': %s", path, campDiagLoadError(errno));
  else if (d.nerror) { campDiagPrint(&d, 0, DIAGFMT_TEXT, campCliColor(a, stderr), stderr); rc = 1; }
  else campGraphUnit(&u, stdout);
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}

/* A row of the store's counts into the drawing's, by image index. */
typedef struct Fill { GraphCounts *acts; uint32_t nact; } Fill;

static int fill(void *ctx, const StoreActivityCounts *c) {
  Fill *f = ctx;
  if (c->idx < 0 || (uint32_t)c->idx >= f->nact) return 0;      /* removed from the current version */
  f->acts[c->idx] = (GraphCounts){ c->pending, c->processed, c->rejected, c->canceled, c->error, c->sent, c->opened, c->clicked };
  return 0;
}

/* The current version of campaign from the store, with its numbers.  0, or
** 1 after the message (not deployed, or a database error). */
static int drawDeployed(Engine *e, const char *campaign, char *err, size_t errSize) {
  err[0] = 0;
  int64_t id = campStoreCampaignId(e, campaign, err, errSize);
  if (!id) {
    if (!err[0]) snprintf(err, errSize, "no campaign '%s' is deployed", campaign);
    return 1;
  }
  const Loaded *l = campStoreLoaded(e, id, err, errSize);
  StoreCampaignCounts cc;
  if (!l || campStoreCampaignCounts(e, id, &cc, err, errSize) < 0) return 1;
  Fill f = { calloc(l->p->nact ? l->p->nact : 1, sizeof *f.acts), l->p->nact };
  if (!f.acts) { snprintf(err, errSize, "out of memory"); return 1; }
  int rc = campStoreActivityCounts(e, id, fill, &f, err, errSize);
  if (rc == 0) {
    GraphLive live = { cc.state, l->version, cc.running, cc.completed, cc.left, cc.unlinked, f.acts };
    campGraphProgram(l->p, l->camp, &live, stdout);
  }
  free(f.acts);
  return rc ? 1 : 0;
}

static int fromDb(const CliArgs *a, const char *campaign) {
  if (a->opt[O_ROOT]) return campCliUsage(a->cmd, "--root is for drawing a file, not a database");
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  int rc = e ? drawDeployed(e, campaign, err, sizeof err) : 1;
  if (rc) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  campEngineClose(e);
  return rc;
}

/* Is the operand a campaign in the database rather than a file?  With
** --db, always; else when it names no file and does not end in .camp (so a
** mistyped FILE.camp is still "cannot read"). */
static int namesCampaign(const CliArgs *a, const char *operand) {
  size_t n = strlen(operand);
  if (a->opt[O_DB]) return 1;
  if (n >= 5 && !strcmp(operand + n - 5, ".camp")) return 0;
  return access(operand, F_OK) != 0;
}

static int graph(const CliArgs *a) {
  if (a->npos != 1) return campCliUsage(a->cmd, "usage: camp graph [--root DIR] FILE.camp | camp graph [--db DB] CAMPAIGN");
  int rc = namesCampaign(a, a->pos[0]) ? fromDb(a, a->pos[0]) : fromFile(a, a->pos[0]);
  if (fflush(stdout) != 0) rc = campCliUsage(a->cmd, "cannot write the graph: %s", strerror(errno));
  return rc;
}

const CliSpec campCmdGraph = {
  "graph", "print the workflow as Graphviz DOT, from a file or as deployed with live numbers", graph,
  "camp graph [--root DIR] FILE.camp\ncamp graph [--db DB] CAMPAIGN",
  "From a file: a cluster per campaign (its start, each activity with its delay, filter and expiry, each "
  "trigger in words), a node per mailing, list and model, and edges to the lists that mailings send to and "
  "that campaigns test (in_list) or fill (add_to_list, remove_from_list).  Names and types are not checked "
  "(that is camp check): a half-written campaign still draws.\n"
  "With --db, or when the operand is not a file and does not end in .camp: the version of CAMPAIGN (or of a "
  "mailing) deployed in the database, each activity with its traces processed, rejected and waiting (and "
  "canceled or in error, when any) and, for email and SMS, its messages sent, opened and clicked; the start "
  "with the participants by state.  Test participants never count: the numbers are camp report's.  The image "
  "keeps no source text, so a filter is shown by where it is written.",
  (const CliOptUse[]){ { O_ROOT, NULL }, { O_DB, "draw CAMPAIGN as deployed in DB, with its live numbers" }, { CLI_NOPT, NULL } },
  NULL, "camp graph examples/welcome_flow.camp | dot -Tsvg > flow.svg\ncamp graph --db camp.db welcome_flow | dot -Tpng > live.png",
  "0\tdrawn\n1\tthe file has syntax errors, or CAMPAIGN is not deployed (or the database cannot be read)\n"
  "2\tusage error or the file cannot be read", 0,
};
