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

int campCmdGraph(int argc, char **argv) {
  const char *path = NULL, *root = NULL;
  if (campCliPathAndRoot(argc, argv, &path, &root) < 0) return 2;
  if (!path) return campCliUsage(argv[0], "usage: camp graph [--root DIR] FILE.camp");
  Diags d;
  Unit u;
  campDiagInit(&d);
  if (campCliSetRoot(argv[0], &d, root)) { campDiagFree(&d); return 2; }
  campUnitInit(&u, &d);
  int rc = 0, e = campParseUnit(&u, path);
  if (e < 0) rc = campCliUsage(argv[0], "cannot read '%s': %s", path, campDiagLoadError(errno));
  else if (d.nerror) { campDiagPrint(&d, 0, DIAGFMT_TEXT, isatty(2), stderr); rc = 1; }
  else campGraphUnit(&u, stdout);
  if (fflush(stdout) != 0) rc = campCliUsage(argv[0], "cannot write the graph: %s", strerror(errno));
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}
