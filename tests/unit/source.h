/*
** tests/unit/source.h -- compiling campaign source in a unit test.
**
** Owns: the one way the unit tests turn a source text (named t.camp) into
** an image or a loaded Program, with the compiler's diagnostics on stderr
** when it does not compile.
*/
#ifndef CAMP_TEST_SOURCE_H
#define CAMP_TEST_SOURCE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "runtime/program.h"

/* The image of src (malloc'd, *len bytes), or NULL. */
static inline uint8_t *testCompileImage(const char *src, size_t *len) {
  Diags d;
  Unit u;
  uint8_t *img = NULL;
  char err[200];
  campDiagInit(&d);
  campUnitInit(&u, &d);
  campDiagAddSource(&d, "t.camp", src, strlen(src));
  if (campCompileCheck(&u, "t.camp") == 0) {
    if (campCodegenUnit(&u, &img, len, err, sizeof err) < 0) fprintf(stderr, "codegen: %s\n", err);
  } else campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, stderr);
  campUnitFree(&u);
  campDiagFree(&d);
  return img;
}

/* src compiled and loaded (campProgramFree it), or NULL. */
static inline Program *testCompile(const char *src) {
  size_t len = 0;
  char err[200];
  uint8_t *img = testCompileImage(src, &len);
  Program *p = img ? campProgramLoad(img, len, err, sizeof err) : NULL;
  if (img && !p) fprintf(stderr, "load: %s\n", err);
  free(img);
  return p;
}

#endif
