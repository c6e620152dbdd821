/*
** runtime/plan.h -- how `camp plan` and `camp deploy` print a change.
**
** Owns: the Terraform-like layout of a plan: a line with its mark (+ to
** add, - to remove, ~ to change) coloured when asked, a property's old and
** new text (`subject: "Hi" -> "Hello"`, a unified diff of a body), and the
** closing summary; what differs between two versions of an activity.
** Does not own: applying a change (store_deploy.c, engine.c) or the words
** for durations (clock.c).
*/
#ifndef CAMP_PLAN_H
#define CAMP_PLAN_H

#include <stddef.h>
#include <stdio.h>
#include "runtime/buf.h"
#include "runtime/engine.h"
#include "runtime/program.h"

/* Where a plan goes: out (NULL: nowhere) and whether to colour its marks. */
typedef struct Plan { FILE *out; int color; } Plan;

/* indent spaces, then mark and a space unless mark is 0 ('+' green, '-'
** red, '~' yellow when colouring), then the formatted text and a newline. */
void campPlanLine(const Plan *p, int indent, char mark, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A property of an activity (indent 6) or a campaign (indent 4) that
** changed: `field: OLD -> NEW`, `+ field: NEW` (old NULL: added), `- field:
** OLD` (new NULL: removed), the mark at the indentation.  Strings (subject, title, from, code, body
** file, text) are quoted; a body, and any text of more than one line, is
** shown as a unified diff (libgit2) indented below `field:`. */
void campPlanField(const Plan *p, int indent, const char *field, const char *old, size_t oldLen,
                   const char *neu, size_t newLen);

/* An activity of the version being replaced, as plan compares it: copied
** out of that version's program (the caller owns the strings). */
typedef struct PlanActivity {
  char *name, *parent;        /* parent: "" at the top level */
  int64_t delay, window, expire;
  int trigger, kind;
  char *cond;                 /* a visit branch's condition as campPlanCondition writes it */
  int32_t delayDays, delayMonths;   /* the delay's calendar parts (image version 7 on) */
  uint16_t atMinute;          /* `at HH:MM`, CAMP_NO_TIME */
  uint32_t path;              /* the path under its branch node, CAMP_NONE */
} PlanActivity;

/* Copy a's timing (image version 7 on: calendar delay, time of day, path)
** into o, beside the delay, window and expire the caller copies. */
void campPlanActivityTiming(PlanActivity *o, const ProgActivity *a);

/* A visit branch's condition as the source says it (` where url like "…"`,
** ` event "…"`, or "" for none), malloc'd; NULL out of memory. */
char *campPlanCondition(const Program *p, const ProgActivity *a);

/* "email, top level, after 2 hours", "action, on click of welcome within
** 1 month": what a new activity is, appended to b. */
void campPlanDescribe(Buf *b, const Program *p, const ProgActivity *a);

/* What changed in activity a of p since o, one property a line at indent
** 6 (kind, trigger, delay, window, expire, then its source properties when
** both sources are given); returns the count.  With pl->out NULL it only
** counts. */
int campPlanActivity(const Plan *pl, const Program *p, const ProgActivity *a, const PlanActivity *o, const char *camp,
                     const DeploySource *oldSrc, const DeploySource *newSrc);

/* The source properties of campaign camp's activity act ("" for the
** campaign's own) that differ between old and neu, at indent: those of neu
** in its order, then those only old has; returns the count. */
int campPlanSource(const Plan *pl, int indent, const char *camp, const char *act, const DeploySource *old,
                   const DeploySource *neu);

/* "25 records would be enrolled, 2 participants would leave", naming
** only what is not zero, into out (always NUL-terminated; "" for none). */
#define CAMP_PLAN_EFFECT_SIZE 96
void campPlanEffect(long enrolled, long left, char out[CAMP_PLAN_EFFECT_SIZE]);

/* The last line: "Plan: 1 to add, 2 to change, 0 to remove; 25 records
** would be enrolled." (dryRun; campPlanEffect after the ';'), "Deployed: 1
** added, 2 changed, 0 removed." (deploy), or "No changes.". */
void campPlanSummary(const Plan *p, const DeployStats *s, int dryRun);

#endif
