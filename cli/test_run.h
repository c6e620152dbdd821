/*
** cli/test_run.h -- running one `test` block (cli/test_run.c) for camp test
** (cli/test.c).
*/
#ifndef CAMP_TEST_RUN_H
#define CAMP_TEST_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "compiler/ast.h"

/* What became of one test. */
typedef struct TestResult {
  const char *name;             /* the test's title (the unit's) */
  const char *path;             /* its file */
  uint32_t line, col;           /* where the test starts */
  int failed;                   /* 0 passed, 1 an expectation failed, 2 the test could not run */
  uint32_t fline, fcol;         /* the failing step */
  char *expected, *happened;    /* malloc'd, for a failure */
  char *timeline;               /* malloc'd: the record's timeline when the step names one ("" otherwise) */
  double ms;                    /* wall time */
} TestResult;

/* The test block t of unit u (resolved without errors), whose root file
** compiled to img: run on a fresh in-memory database with its own clock
** and keeping sinks, into *r.  0, or -1 when out of memory. */
int campTestRun(Unit *u, const Ast *t, const uint8_t *img, size_t len, TestResult *r);
void campTestResultFree(TestResult *r);

#endif
