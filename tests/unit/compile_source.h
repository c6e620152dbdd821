/*
** tests/unit/compile_source.h -- a Program from camp source text, for the
** unit tests that run templates and filters (test_vm.c, test_compose.c).
*/
#ifndef CAMP_TEST_COMPILE_SOURCE_H
#define CAMP_TEST_COMPILE_SOURCE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "runtime/program.h"

/* src compiled and loaded as if read from file `path`; NULL when it does
** not compile (the diagnostics on stderr).  Free with campProgramFree. */
static Program *testCompileSource(const char *path, const char *src) {
  Diags d;
  Unit u;
  uint8_t *img = NULL;
  size_t len;
  char err[200];
  campDiagInit(&d);
  campUnitInit(&u, &d);
  campDiagAddSource(&d, path, src, strlen(src));
  if (campCompileCheck(&u, path) == 0) campCodegenUnit(&u, &img, &len, err, sizeof err);
  else campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, stderr);
  campUnitFree(&u);
  campDiagFree(&d);
  Program *p = img ? campProgramLoad(img, len, err, sizeof err) : NULL;
  free(img);
  return p;
}

#endif
