/*
** tests/unit/test_compile.h -- a campaign source compiled for a unit test.
**
** Owns: the one way unit tests turn source text into an image: the
** source is named "t.camp"; its diagnostics go to stderr.
*/
#ifndef CAMP_TEST_COMPILE_H
#define CAMP_TEST_COMPILE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "compiler/compile.h"

/* The image of src (malloc'd, *len its size), or NULL when it has errors. */
static inline uint8_t *testCompile(const char *src, size_t *len) {
  Diags d;
  Unit u;
  uint8_t *img = NULL;
  char err[200];
  campDiagInit(&d);
  campUnitInit(&u, &d);
  campDiagAddSource(&d, "t.camp", src, strlen(src));
  if (campCompileCheck(&u, "t.camp") == 0) {
    if (campCodegenUnit(&u, &img, len, err, sizeof err) < 0) fprintf(stderr, "t.camp: %s\n", err);
  } else campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, stderr);
  campUnitFree(&u);
  campDiagFree(&d);
  return img;
}

#endif
