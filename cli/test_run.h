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

/* The database every test of a file starts from: new, in memory, its
** sender and clock set, the file's image deployed and started -- as bytes,
** so that each test gets its own copy without building it again. */
typedef struct TestBase { unsigned char *db; size_t len; } TestBase;
/* 0, or -1 with the message in err (the deploy failed). */
int campTestBase(const uint8_t *img, size_t len, TestBase *b, char *err, size_t errSize);
void campTestBaseFree(TestBase *b);

/* The test block t of unit u (resolved without errors), on a copy of b
** with keeping sinks, into *r.  0, or -1 when out of memory. */
int campTestRun(Unit *u, const Ast *t, const TestBase *b, TestResult *r);
void campTestResultFree(TestResult *r);

#endif
