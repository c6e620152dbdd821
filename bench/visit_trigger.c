/*
** bench/visit_trigger.c -- the timed part of bench/visit_trigger.sh: HITS
** contact hits recorded as the collector's writer records them, in
** transactions of 500.
**
**   visit_trigger act PATH HITS RECORDS    campStoreHitAdd then campSchedVisit
**                                          per hit (record i % RECORDS + 1;
**                                          every other one a /pricing page)
**   visit_trigger add PATH HITS RECORDS    the floor: campStoreHitAdd alone
**
** Prints "HITS seconds FIRED".  Built by bench/visit_trigger.sh against
** build/libcamp.a; not part of camp.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/engine.h"
#include "runtime/sched.h"
#include "runtime/store.h"

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: visit_trigger act|add PATH HITS RECORDS\n"); return 2; }
  int act = !strcmp(argv[1], "act");
  long hits = atol(argv[3]), records = atol(argv[4]);
  char err[512];
  Engine *e = campEngineOpen(argv[2], 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "visit_trigger: %s\n", err); return 1; }
  int64_t now = campEngineNow(e);
  long fired = 0;
  int rc = 0;
  double t0 = seconds();
  for (long i = 0; i < hits && rc == 0; i++) {
    if (i % 500 == 0 && (i ? campStoreCommit(e, err, sizeof err) : 0) == 0) rc = campStoreBegin(e, 1, err, sizeof err);
    WebHit h = { .site = "shop-1", .at = now + i / 1000, .visitor = "0123456789abcdef", .model = "contact",
                 .record = i % records + 1, .url = i % 2 ? "https://shop.example.com/about" : "https://shop.example.com/pricing?plan=pro",
                 .name = "visit", .value = 1, .uaClass = "desktop" };
    int f = 0;
    if (rc == 0 && campStoreHitAdd(e, &h) < 0) { snprintf(err, sizeof err, "%s", campStoreError(e)); rc = -1; }
    if (rc == 0 && act) rc = campSchedVisit(e, &h, &f, err, sizeof err);
    fired += f;
  }
  if (rc == 0) rc = campStoreCommit(e, err, sizeof err);
  double t1 = seconds();
  campEngineClose(e);
  if (rc < 0) { fprintf(stderr, "visit_trigger: %s\n", err); return 1; }
  printf("%ld %.3f %ld\n", hits, t1 - t0, fired);
  return 0;
}
