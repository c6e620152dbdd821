/*
** cli/progress.h -- what `camp run` shows while it works and when it is
** done (cli/progress.c).
*/
#ifndef CAMP_PROGRESS_H
#define CAMP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>
#include "runtime/sched.h"

typedef struct Progress Progress;

/* The progress of a run that starts at from (the database's clock) and
** goes to until (INT64_MAX: no end, so no ETA), shown on out: when out is
** a terminal, one line rewritten in place; otherwise a line with an ISO
** timestamp every $CAMP_PROGRESS_INTERVAL_MS milliseconds of wall time
** (default 10000; 0: none).  NULL when there is nothing to show (or no
** memory): the other functions take NULL and do nothing. */
Progress *campProgressStart(FILE *out, int64_t from, int64_t until);

/* A RunProgressFn (runtime/sched.h): ctx is the Progress. */
void campProgressUpdate(void *ctx, const RunStats *st, int64_t reached);

/* Clear the live line and free p. */
void campProgressEnd(Progress *p);

/* One log line on out, flushed: the wall clock in ISO 8601, a space, then
** fmt ("2026-11-30T16:20:00Z run: 12 enrolled, ..."). */
void campProgressLog(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The run's counts per campaign as a table on out, a campaign a line
** (those with nothing counted are left out; nothing at all when none is
** left). */
void campProgressSummary(FILE *out, const RunTally *t);

#endif
