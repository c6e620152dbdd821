/*
** cli/graph.c -- `camp graph FILE`: the workflow as Graphviz DOT on stdout.
**
** Owns: parsing the file with its `use`s and printing the graph; syntax
** errors and unreadable files are reported (exit 1 and 2).  Names and types
** are not checked (that is `camp check`): a half-written campaign still
** draws.  Does not own: the drawing (compiler/graph.c).
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/ast.h"
#include "compiler/graph.h"

static int graph(const CliArgs *a) {
  const char *path = a->npos == 1 ? a->pos[0] : NULL, *root = a->opt[O_ROOT];
  if (!path) return campCliUsage(a->cmd, "usage: camp graph [--root DIR] FILE.camp");
  Diags d;
  Unit u;
  campDiagInit(&d);
  if (campCliSetRoot(a->cmd, &d, root)) { campDiagFree(&d); return 2; }
  campUnitInit(&u, &d);
  int rc = 0, e = campParseUnit(&u, path);
  if (e < 0) rc = campCliUsage(a->cmd, "cannot read '%s': %s", path, campDiagLoadError(errno));
  else if (d.nerror) { campDiagPrint(&d, 0, DIAGFMT_TEXT, campCliColor(a, stderr), stderr); rc = 1; }
  else campGraphUnit(&u, stdout);
  if (fflush(stdout) != 0) rc = campCliUsage(a->cmd, "cannot write the graph: %s", strerror(errno));
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}

const CliSpec campCmdGraph = {
  "graph", "print the workflow as Graphviz DOT", graph,
  "camp graph [--root DIR] FILE.camp", "Names and types are not checked (that is camp check): a half-written campaign still draws.",
  (const CliOptUse[]){ { O_ROOT, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp graph examples/welcome_flow.camp | dot -Tsvg > flow.svg",
  "0\tdrawn\n1\tthe file has syntax errors\n2\tusage error or the file cannot be read", 0,
};
