/*
** tests/unit/compile_source.h -- a Program from camp source text, for the
** unit tests: the one way they turn source text into an image or a Program.
*/
#ifndef CAMP_TEST_COMPILE_SOURCE_H
#define CAMP_TEST_COMPILE_SOURCE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "runtime/program.h"

/* The image of src as if read from file `path` (malloc'd, *len its
** size); NULL when it does not compile (the diagnostics on stderr). */
static inline uint8_t *testCompileImage(const char *path, const char *src, size_t *len) {
  Diags d;
  Unit u;
  uint8_t *img = NULL;
  char err[200];
  campDiagInit(&d);
  campUnitInit(&u, &d);
  campDiagAddSource(&d, path, src, strlen(src));
  if (campCompileCheck(&u, path) == 0) {
    if (campCodegenUnit(&u, &img, len, err, sizeof err) < 0) fprintf(stderr, "%s: %s\n", path, err);
  } else campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, stderr);
  campUnitFree(&u);
  campDiagFree(&d);
  return img;
}

/* src compiled and loaded as if read from file `path`; NULL when it does
** not compile (the diagnostics on stderr).  Free with campProgramFree. */
static inline Program *testCompileSource(const char *path, const char *src) {
  size_t len;
  char err[200];
  uint8_t *img = testCompileImage(path, src, &len);
  Program *p = img ? campProgramLoad(img, len, err, sizeof err) : NULL;
  free(img);
  return p;
}

#endif
