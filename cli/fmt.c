/*
** cli/fmt.c -- `camp fmt [--check | -w] PATH...` and `camp graph FILE`.
**
** Owns: choosing stdout, in-place rewrite (temporary file then rename, only
** when the text changes) or check mode (names the files that would change,
** exit 1); a file with a syntax error is reported and left alone.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/fmt.h"

static int writeFile(const char *path, const char *text, size_t len) {
  char *tmp;
  if (asprintf(&tmp, "%s.fmt%ld", path, (long)getpid()) < 0) return -1;
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(text, 1, len, f) == len;
  if (f && fclose(f) != 0) ok = 0;
  if (ok && rename(tmp, path) != 0) ok = 0;
  if (!ok) unlink(tmp);
  free(tmp);
  return ok ? 0 : -1;
}

int campCmdFmt(int argc, char **argv) {
  int check = 0, write = 0, rc = 0;
  PathList paths = { 0 };
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--check")) check = 1;
    else if (!strcmp(argv[i], "-w")) write = 1;
    else if (argv[i][0] == '-' && argv[i][1]) return campCliUsage(argv[0], "unknown option '%s'", argv[i]);
    else if (campCliCollectCamp(argv[0], argv[i], &paths) < 0) rc = 2;
  }
  if (check && write) return campCliUsage(argv[0], "--check and -w exclude each other");
  if (!paths.n) return rc ? rc : campCliUsage(argv[0], "usage: camp fmt [--check | -w] PATH...");
  if (!check && !write && paths.n > 1) return campCliUsage(argv[0], "one file at a time to stdout (use -w or --check for several)");
  for (size_t i = 0; i < paths.n; i++) {
    Diags d;
    Unit u;
    campDiagInit(&d);
    campUnitInit(&u, &d);
    int file = campDiagLoadFile(&d, paths.v[i]);
    Ast *root = file >= 0 ? campParseFile(&u, (uint32_t)file) : NULL;
    if (file < 0) { campCliUsage(argv[0], "cannot read '%s': %s", paths.v[i], strerror(errno)); rc = 2; }
    else if (!root) { campDiagPrint(&d, 0, DIAGFMT_TEXT, isatty(2), stderr); if (rc == 0) rc = 1; }
    else {
      char *text;
      size_t len;
      campFmtSource(&u, (uint32_t)file, root, &text, &len);
      int same = len == d.src[file].len && !memcmp(text, d.src[file].text, len);
      if (check) { if (!same) { printf("%s\n", paths.v[i]); if (rc == 0) rc = 1; } }
      else if (write) { if (!same && writeFile(paths.v[i], text, len) < 0) { campCliUsage(argv[0], "cannot write '%s': %s", paths.v[i], strerror(errno)); rc = 2; } }
      else fwrite(text, 1, len, stdout);
      free(text);
    }
    campUnitFree(&u);
    campDiagFree(&d);
    free(paths.v[i]);
  }
  free(paths.v);
  return rc;
}

int campCmdGraph(int argc, char **argv) {
  if (argc != 2) return campCliUsage(argv[0], "usage: camp graph FILE.camp");
  Diags d;
  Unit u;
  campDiagInit(&d);
  campUnitInit(&u, &d);
  int e = campCompileCheck(&u, argv[1]);
  int rc = 0;
  if (e < 0) rc = campCliUsage(argv[0], "cannot read '%s': %s", argv[1], strerror(errno));
  else if (d.nerror) { campDiagPrint(&d, 0, DIAGFMT_TEXT, isatty(2), stderr); rc = 1; }
  else campGraphUnit(&u, stdout);
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}
