/*
** cli/compile.c -- `camp compile` and `camp disasm`.
**
** Owns: compiling one file to an image on disk (written to a temporary
** file and renamed, so a failed compile never leaves half an image) and
** listing an image, from a .campc or straight from a .camp.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/disasm.h"
#include "compiler/source.h"
#include "runtime/program.h"

/* A property of the source, kept for the deploy (copied: the unit goes). */
static void keepText(void *ctx, const char *campaign, const char *activity, const char *field, const char *text, size_t len) {
  DeploySource *s = ctx;
  if (campStoreSourceAdd(s, campaign, activity, field, text, len) < 0) { fprintf(stderr, "camp: out of memory\n"); exit(1); }
}

int campCliCompileFile(const CliArgs *a, const char *path, uint8_t **img, size_t *len) {
  return campCliCompileSource(a, path, img, len, NULL);
}

int campCliCompileSource(const CliArgs *a, const char *path, uint8_t **img, size_t *len, DeploySource *src) {
  const char *cmd = a->cmd, *root = a->opt[O_ROOT];
  Diags d;
  Unit u;
  char err[256];
  int rc = 0;
  campDiagInit(&d);
  if (campCliSetRoot(cmd, &d, root)) { campDiagFree(&d); return 2; }
  campUnitInit(&u, &d);
  int e = campCompileCheck(&u, path);
  if (e < 0) rc = campCliUsage(cmd, "cannot read '%s': %s", path, campDiagLoadError(errno));
  else if (d.nerror) { campDiagPrint(&d, 0, DIAGFMT_TEXT, campCliColor(a, stderr), stderr); rc = 1; }
  else if (campCodegenUnit(&u, img, len, err, sizeof err) < 0) rc = campCliUsage(cmd, "%s: %s", path, err);
  else if (src) campSourceEach(&u, keepText, src);
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}

static int compile(const CliArgs *a) {
  const char *in = a->npos == 1 ? a->pos[0] : NULL, *out = a->opt[O_OUTPUT];
  if (!in) return campCliUsage(a->cmd, "usage: camp compile [--root DIR] FILE.camp [-o FILE.campc]");
  char *def = NULL;
  if (!out) {    /* x.camp -> x.campc */
    size_t n = strlen(in);
    if (n > 5 && !strcmp(in + n - 5, ".camp")) n -= 5;
    if (asprintf(&def, "%.*s.campc", (int)n, in) < 0) return 2;
    out = def;
  }
  uint8_t *img = NULL;
  size_t len = 0;
  int rc = campCliCompileFile(a, in, &img, &len);
  if (rc == 0) {
    char *tmp;
    if (asprintf(&tmp, "%s.tmp%ld", out, (long)getpid()) < 0) return 2;
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(img, 1, len, f) != len || fclose(f) != 0 || rename(tmp, out) != 0) {
      rc = campCliUsage(a->cmd, "cannot write '%s': %s", out, strerror(errno));
      unlink(tmp);
    }
    free(tmp);
  }
  free(img);
  free(def);
  return rc;
}

static int disasm(const CliArgs *a) {
  const char *path = a->npos == 1 ? a->pos[0] : NULL;
  if (!path) return campCliUsage(a->cmd, "usage: camp disasm [--root DIR] FILE.camp|FILE.campc");
  size_t n = strlen(path);
  char err[256];
  Program *p;
  if (n > 5 && !strcmp(path + n - 5, ".camp")) {
    uint8_t *img = NULL;
    size_t len = 0;
    int rc = campCliCompileFile(a, path, &img, &len);
    if (rc) return rc;
    p = campProgramLoad(img, len, err, sizeof err);
    free(img);
  } else {
    p = campProgramLoadFile(path, err, sizeof err);
  }
  if (!p) return campCliUsage(a->cmd, "%s: %s", path, err), 1;
  campDisasm(p, stdout);
  campProgramFree(p);
  return 0;
}

const CliSpec campCmdCompile = {
  "compile", "compile a campaign file to a bytecode image", compile,
  "camp compile [--root DIR] FILE.camp [-o FILE.campc]",
  "The image is written to a temporary file and renamed: a failed compile leaves no half image.",
  (const CliOptUse[]){ { O_OUTPUT, "the image's path (default: FILE.campc beside FILE.camp)" }, { O_ROOT, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp compile examples/welcome_flow.camp -o welcome_flow.campc",
  "0\tcompiled\n1\tthe file has errors\n2\tusage error, or a file cannot be read or written", 0,
};

const CliSpec campCmdDisasm = {
  "disasm", "list the bytecode of a .camp or .campc file", disasm,
  "camp disasm [--root DIR] FILE.camp|FILE.campc", NULL,
  (const CliOptUse[]){ { O_ROOT, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp disasm welcome_flow.campc",
  "0\tlisted\n1\tthe file has errors or is not an image\n2\tusage error or the file cannot be read", 0,
};
