/*
** cli/check.c -- `camp check`: lint campaign files, for people and for CI.
**
** Owns: walking the paths (directories recursed for *.camp), compiling each
** file in one process (process start costs more than a file), choosing the
** output format and the exit status: 0 clean, 1 errors (or warnings with
** --werror), 2 usage or I/O.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/resolve.h"

static void addPath(PathList *l, const char *p) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    if (!l->v) { fputs("camp: out of memory\n", stderr); exit(2); }
  }
  l->v[l->n++] = strdup(p);
}

static int cmpStr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int endsWith(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

/* Add path, or every *.camp below it (sorted, so output is stable).
** Returns 0, or -1 after printing why a path cannot be read. */
int campCliCollectCamp(const char *cmd, const char *path, PathList *out) {
  struct stat st;
  if (stat(path, &st) < 0) { campCliUsage(cmd, "cannot read '%s': %s", path, strerror(errno)); return -1; }
  if (!S_ISDIR(st.st_mode)) { addPath(out, path); return 0; }
  DIR *dir = opendir(path);
  if (!dir) { campCliUsage(cmd, "cannot read '%s': %s", path, strerror(errno)); return -1; }
  PathList here = { 0 };
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char *p;
    if (asprintf(&p, "%s%s%s", path, endsWith(path, "/") ? "" : "/", e->d_name) < 0) exit(2);
    struct stat s2;
    if (stat(p, &s2) == 0 && (S_ISDIR(s2.st_mode) || endsWith(p, ".camp"))) addPath(&here, p);
    free(p);
  }
  closedir(dir);
  if (here.n) qsort(here.v, here.n, sizeof *here.v, cmpStr);
  int rc = 0;
  for (size_t i = 0; i < here.n; i++) {
    if (campCliCollectCamp(cmd, here.v[i], out) < 0) rc = -1;
    free(here.v[i]);
  }
  free(here.v);
  return rc;
}

static int check(const CliArgs *a) {
  const char *format = a->opt[O_FORMAT] ? a->opt[O_FORMAT] : "text", *root = a->opt[O_ROOT];
  int werror = a->opt[O_WERROR] != NULL, io = 0;
  PathList paths = { 0 };
  for (int i = 0; i < a->npos; i++)
    if (campCliCollectCamp(a->cmd, a->pos[i], &paths) < 0) io = 1;
  DiagFormat fmt;
  if (!strcmp(format, "text")) fmt = DIAGFMT_TEXT;
  else if (!strcmp(format, "json")) fmt = DIAGFMT_JSON;
  else if (!strcmp(format, "sarif")) fmt = DIAGFMT_SARIF;
  else if (!strcmp(format, "github")) fmt = DIAGFMT_GITHUB;
  else return campCliUsage(a->cmd, "unknown format '%s' (text, json, sarif or github)", format);
  if (!paths.n && !io) return campCliUsage(a->cmd, "usage: camp check [--format text|json|sarif|github] [--werror] [--root DIR] PATH...");
  Diags d;
  campDiagInit(&d);
  if (campCliSetRoot(a->cmd, &d, root)) {
    for (size_t i = 0; i < paths.n; i++) free(paths.v[i]);
    free(paths.v);
    campDiagFree(&d);
    return 2;
  }
  Unit u;
  CodeBook codes = { 0 };
  campUnitInit(&u, &d);
  for (size_t i = 0; i < paths.n; i++) {
    campUnitReset(&u);
    if (campCompileCheck(&u, paths.v[i]) < 0) {
      campCliUsage(a->cmd, "cannot read '%s': %s", paths.v[i], campDiagLoadError(errno));
      io = 1;
    } else campResolveCodeBook(&u, &codes);     /* a code is unique across the files too */
    free(paths.v[i]);
  }
  campResolveCodeBookFree(&codes);
  campUnitFree(&u);
  free(paths.v);
  campDiagPrint(&d, 0, fmt, fmt == DIAGFMT_TEXT && campCliColor(a, stdout), stdout);
  if (fmt == DIAGFMT_TEXT && (d.nerror || d.nwarning))
    printf("%u error%s, %u warning%s\n", d.nerror, d.nerror == 1 ? "" : "s", d.nwarning, d.nwarning == 1 ? "" : "s");
  int rc = io ? 2 : (d.nerror || (werror && d.nwarning)) ? 1 : 0;
  campDiagFree(&d);
  return rc;
}

const CliSpec campCmdCheck = {
  "check", "lint campaign files", check,
  "camp check [--format text|json|sarif|github] [--werror] [--root DIR] PATH...",
  "Compiles every file (a directory: every *.camp below it) and reports errors and warnings as\n"
  "file:line:col: error: message [CODE].  json, sarif (GitHub code scanning) and github\n"
  "(workflow annotations) are for CI.",
  (const CliOptUse[]){ { O_FORMAT, "text (default), json, sarif or github" }, { O_WERROR, NULL }, { O_ROOT, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp check --format github examples/",
  "0\tno errors (warnings allowed unless --werror)\n1\terrors, or warnings with --werror\n2\tusage error or a file cannot be read", 0,
};
