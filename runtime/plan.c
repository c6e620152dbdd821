/*
** runtime/plan.c -- how a plan is printed (see plan.h).
**
** Owns: marks and their colours, quoting a property's text on one line,
** the unified diff of texts of several lines, and what differs between
** two versions of an activity (the image's kind, trigger and durations;
** the source's properties, compared as stored).  The diff is libgit2's
** (git_patch_from_buffers): the same hunks `git diff` shows, three lines of
** context, without its file header.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "runtime/clock.h"
#include "runtime/plan.h"

#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

static const char *markColor(char mark) { return mark == '+' ? GREEN : mark == '-' ? RED : mark == '~' ? YELLOW : ""; }

/* The indentation and the mark of a line. */
static void startLine(const Plan *p, int indent, char mark) {
  fprintf(p->out, "%*s", indent, "");
  if (mark) fprintf(p->out, "%s%c%s ", p->color ? markColor(mark) : "", mark, p->color ? RESET : "");
}

void campPlanLine(const Plan *p, int indent, char mark, const char *fmt, ...) {
  if (!p->out) return;
  startLine(p, indent, mark);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(p->out, fmt, ap);
  va_end(ap);
  fputc('\n', p->out);
}

/* s[0..n) in double quotes: " and \ backslashed, \n \t, other control
** bytes as \xHH. */
static void quoted(FILE *out, const char *s, size_t n) {
  fputc('"', out);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c == '\n') fputs("\\n", out);
    else if (c == '\t') fputs("\\t", out);
    else if (c < 0x20 || c == 0x7f) fprintf(out, "\\x%02x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

static int isString(const char *field) {
  static const char *const names[] = { "subject", "title", "from", "code", "body file", "text", "description", "timezone" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) if (!strcmp(field, names[i])) return 1;
  return 0;
}

static void value(const Plan *p, const char *field, const char *s, size_t n) {
  if (isString(field)) quoted(p->out, s, n);
  else fwrite(s, 1, n, p->out);
}

/* More than one line (a last line break does not count)? */
static int multiLine(const char *s, size_t n) {
  const char *nl = s ? memchr(s, '\n', n) : NULL;
  return nl && nl != s + n - 1;
}

typedef struct DiffOut { const Plan *p; int indent; } DiffOut;

static int diffLine(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *payload) {
  (void)d; (void)h;
  const DiffOut *o = payload;
  FILE *out = o->p->out;
  const char *color = "";
  char origin = l->origin;
  switch (l->origin) {
  case GIT_DIFF_LINE_HUNK_HDR: color = CYAN; origin = 0; break;
  case GIT_DIFF_LINE_ADDITION: color = GREEN; break;
  case GIT_DIFF_LINE_DELETION: color = RED; break;
  case GIT_DIFF_LINE_CONTEXT: break;
  default: return 0;          /* the file header; no "no newline" lines (texts end with one) */
  }
  size_t n = l->content_len;
  while (n && (l->content[n - 1] == '\n' || l->content[n - 1] == '\r')) n--;
  fprintf(out, "%*s%s", o->indent, "", o->p->color ? color : "");
  if (origin) fputc(origin, out);
  fprintf(out, "%.*s%s\n", (int)n, l->content, o->p->color && *color ? RESET : "");
  return 0;
}

/* s with a line break at its end (malloc'd into *own when one is added). */
static const char *withNewline(const char *s, size_t *n, char **own) {
  *own = NULL;
  if (!s) { *n = 0; return ""; }
  if (*n && s[*n - 1] == '\n') return s;
  if (!(*own = malloc(*n + 1))) return s;
  memcpy(*own, s, *n);
  (*own)[(*n)++] = '\n';
  return *own;
}

/* The unified diff of old and neu below `field:`. */
static void diff(const Plan *p, int indent, const char *old, size_t oldLen, const char *neu, size_t newLen) {
  char *o1, *o2;
  old = withNewline(old, &oldLen, &o1);
  neu = withNewline(neu, &newLen, &o2);
  git_libgit2_init();
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  git_patch *patch = NULL;
  DiffOut o = { p, indent };
  if (git_patch_from_buffers(&patch, old, oldLen, "old", neu, newLen, "new", &opts) == 0 && patch)
    git_patch_print(patch, diffLine, &o);
  else
    fprintf(p->out, "%*s(the texts differ; no diff: %s)\n", indent, "", git_error_last() ? git_error_last()->message : "libgit2 failed");
  git_patch_free(patch);
  git_libgit2_shutdown();
  free(o1);
  free(o2);
}

void campPlanField(const Plan *p, int indent, const char *field, const char *old, size_t oldLen,
                   const char *neu, size_t newLen) {
  if (!p->out) return;
  char mark = !old ? '+' : !neu ? '-' : 0;
  if (!strcmp(field, "body") || multiLine(old, oldLen) || multiLine(neu, newLen)) {
    campPlanLine(p, indent, mark, "%s:", field);
    diff(p, indent + 2, old, oldLen, neu, newLen);
    return;
  }
  startLine(p, indent, mark);
  fprintf(p->out, "%s: ", field);
  if (old) value(p, field, old, oldLen);
  if (old && neu) fputs(" -> ", p->out);
  if (neu) value(p, field, neu, newLen);
  fputc('\n', p->out);
}

/* -- what changed ---------------------------------------------------------- */

static const DeployText *findText(const DeploySource *s, const char *campaign, const char *activity, const char *field) {
  for (size_t i = 0; s && i < s->n; i++)
    if (!strcmp(s->v[i].campaign, campaign) && !strcmp(s->v[i].activity, activity) && !strcmp(s->v[i].field, field))
      return &s->v[i];
  return NULL;
}

static const char *kindName(int kind) {
  return kind == ACT_EMAIL ? "email" : kind == ACT_SMS ? "sms" : kind == ACT_SPLIT ? "split" : kind == ACT_IF ? "if" : "action";
}

void campPlanActivityTiming(PlanActivity *o, const ProgActivity *a) {
  o->delayDays = a->delayDays;
  o->delayMonths = a->delayMonths;
  o->atMinute = a->atMinute;
  o->path = a->path;
}

/* A delay in calendar units: "1 month", "2 weeks", "3 days", "1 month 2 days 4 hours",
** "0 seconds" for none. */
static void delayText(int32_t months, int32_t days, int64_t secs, char out[CAMP_CLOCK_DURATION_SIZE]) {
  size_t n = 0;
  out[0] = 0;
  if (months) n += (size_t)snprintf(out, CAMP_CLOCK_DURATION_SIZE, "%d month%s", months, months == 1 ? "" : "s");
  if (days) {
    int weeks = days % 7 == 0, k = weeks ? days / 7 : days;
    n += (size_t)snprintf(out + n, CAMP_CLOCK_DURATION_SIZE - n, "%s%d %s%s", n ? " " : "", k, weeks ? "week" : "day", k == 1 ? "" : "s");
  }
  if (secs || !n) {
    char d[CAMP_CLOCK_DURATION_SIZE];
    /* fixed seconds: an image before version 7 kept a month as 30 days, which
    ** campClockFormatDuration calls "1 month" -- here that would read as the
    ** calendar month the delay becomes on redeploy */
    if (secs > 0 && secs % (30 * 86400) == 0) snprintf(d, sizeof d, "%lld days", (long long)(secs / 86400));
    else campClockFormatDuration(secs, d);
    if (n) out[n++] = ' ';
    strncpy(out + n, d, CAMP_CLOCK_DURATION_SIZE - n - 1);
    out[CAMP_CLOCK_DURATION_SIZE - 1] = 0;
  }
}

static int hasDelay(const ProgActivity *a) { return a->delay || a->delayDays || a->delayMonths; }

/* "top level", "after hello", "on no open of hello" */
char *campPlanCondition(const Program *p, const ProgActivity *a) {
  Buf b = { 0 };
  if (a->match != MATCH_ANY) campBufPrintf(&b, " %s \"%s\"", a->match == MATCH_URL ? "where url like" : "event", p->str[a->pattern]);
  campBufPut(&b, "", 1);
  return b.oom ? (free(b.p), NULL) : b.p;
}

/* path: under a branch node, CAMP_NONE otherwise. */
static void triggerText(Buf *b, int trigger, const char *parent, const char *cond, uint32_t path) {
  static const char *const on[] = { "", "", "", "open", "click", "reply", "bounce", "no open", "no click", "no reply", "visit",
                                   "no visit" };
  if (trigger == TRIG_BEGIN) campBufPuts(b, "top level");
  else if (trigger == TRIG_DONE && path != CAMP_NONE) campBufPrintf(b, "path %u of %s", path + 1, parent);
  else if (trigger == TRIG_DONE) campBufPrintf(b, "after %s", parent);
  else campBufPrintf(b, "on %s of %s%s", trigger <= TRIG_NO_VISIT ? on[trigger] : "?", parent, cond);
}

void campPlanDescribe(Buf *b, const Program *p, const ProgActivity *a) {
  char d[CAMP_CLOCK_DURATION_SIZE];
  campBufPrintf(b, "%s, ", kindName(a->kind));
  char *cond = campPlanCondition(p, a);
  triggerText(b, a->trigger, a->parent != CAMP_NONE ? p->str[p->acts[a->parent].name] : "", cond ? cond : "", a->path);
  free(cond);
  if (a->window) { campClockFormatDuration(a->window, d); campBufPrintf(b, " within %s", d); }
  if (hasDelay(a)) { delayText(a->delayMonths, a->delayDays, a->delay, d); campBufPrintf(b, ", after %s", d); }
  if (a->atMinute != CAMP_NO_TIME) campBufPrintf(b, " at %02u:%02u", a->atMinute / 60, a->atMinute % 60);
}

/* The delay (in calendar units) and time of day; returns 1 or 2 for what changed. */
static int timingChange(const Plan *pl, const PlanActivity *o, const ProgActivity *a) {
  int n = 0;
  if (o->delay != a->delay || o->delayDays != a->delayDays || o->delayMonths != a->delayMonths) {
    char x[CAMP_CLOCK_DURATION_SIZE], y[CAMP_CLOCK_DURATION_SIZE];
    delayText(o->delayMonths, o->delayDays, o->delay, x);
    delayText(a->delayMonths, a->delayDays, a->delay, y);
    int had = o->delay || o->delayDays || o->delayMonths;
    campPlanField(pl, 6, "delay", had ? x : NULL, strlen(x), hasDelay(a) ? y : NULL, strlen(y));
    n++;
  }
  if (o->atMinute != a->atMinute) {
    char x[16], y[16];
    snprintf(x, sizeof x, "%02u:%02u", o->atMinute / 60 % 24, o->atMinute % 60);
    snprintf(y, sizeof y, "%02u:%02u", a->atMinute / 60 % 24, a->atMinute % 60);
    campPlanField(pl, 6, "at", o->atMinute != CAMP_NO_TIME ? x : NULL, 5, a->atMinute != CAMP_NO_TIME ? y : NULL, 5);
    n++;
  }
  return n;
}

/* One duration property; 0 is none.  Returns 1 when it changed. */
static int durationChange(const Plan *pl, const char *field, int64_t old, int64_t neu) {
  if (old == neu) return 0;
  char a[CAMP_CLOCK_DURATION_SIZE], b[CAMP_CLOCK_DURATION_SIZE];
  campClockFormatDuration(old, a);
  campClockFormatDuration(neu, b);
  campPlanField(pl, 6, field, old ? a : NULL, strlen(a), neu ? b : NULL, strlen(b));
  return 1;
}

int campPlanSource(const Plan *pl, int indent, const char *camp, const char *act, const DeploySource *old,
                   const DeploySource *neu) {
  int n = 0;
  for (int pass = 0; pass < 2; pass++) {       /* the new version's properties, then those it dropped */
    const DeploySource *s = pass ? old : neu, *other = pass ? neu : old;
    for (size_t i = 0; i < s->n; i++) {
      const DeployText *t = &s->v[i], *o = findText(other, camp, act, t->field);
      if (strcmp(t->campaign, camp) || strcmp(t->activity, act) || (pass && o)) continue;
      if (o && o->len == t->len && !memcmp(o->text, t->text, t->len)) continue;
      n++;
      if (pass) campPlanField(pl, indent, t->field, t->text, t->len, NULL, 0);
      else campPlanField(pl, indent, t->field, o ? o->text : NULL, o ? o->len : 0, t->text, t->len);
    }
  }
  return n;
}

int campPlanActivity(const Plan *pl, const Program *p, const ProgActivity *a, const PlanActivity *o, const char *camp,
                     const DeploySource *oldSrc, const DeploySource *newSrc) {
  int n = 0;
  if (o->kind != a->kind) { n++; campPlanField(pl, 6, "kind", kindName(o->kind), strlen(kindName(o->kind)),
                                               kindName(a->kind), strlen(kindName(a->kind))); }
  const char *parent = a->parent != CAMP_NONE ? p->str[p->acts[a->parent].name] : "";
  char *cond = campPlanCondition(p, a);
  if (o->trigger != a->trigger || strcmp(o->parent, parent) || (cond && strcmp(o->cond ? o->cond : "", cond)) ||
      o->path != a->path) {
    Buf x = { 0 }, y = { 0 };
    triggerText(&x, o->trigger, o->parent, o->cond ? o->cond : "", o->path);
    triggerText(&y, a->trigger, parent, cond ? cond : "", a->path);
    if (!x.oom && !y.oom) campPlanField(pl, 6, "trigger", x.p, x.n, y.p, y.n);
    campBufFree(&x);
    campBufFree(&y);
    n++;
  }
  free(cond);
  n += timingChange(pl, o, a);
  n += durationChange(pl, "window", o->window, a->window);
  n += durationChange(pl, "expire", o->expire, a->expire);
  if (oldSrc && newSrc) n += campPlanSource(pl, 6, camp, p->str[a->name], oldSrc, newSrc);
  return n;
}

void campPlanEffect(long enrolled, long left, char out[CAMP_PLAN_EFFECT_SIZE]) {
  int n = 0;
  out[0] = 0;
  if (enrolled) n = snprintf(out, CAMP_PLAN_EFFECT_SIZE, "%ld record%s would be enrolled", enrolled, enrolled == 1 ? "" : "s");
  if (left) snprintf(out + n, (size_t)(CAMP_PLAN_EFFECT_SIZE - n), "%s%ld participant%s would leave", n ? ", " : "", left, left == 1 ? "" : "s");
}

void campPlanSummary(const Plan *p, const DeployStats *s, int dryRun) {
  if (!p->out) return;
  if (!s->add && !s->change && !s->remove && !s->enrolled && !s->left) { fputs("No changes.\n", p->out); return; }
  if (!dryRun) { fprintf(p->out, "Deployed: %ld added, %ld changed, %ld removed.\n", s->add, s->change, s->remove); return; }
  fprintf(p->out, "Plan: %ld to add, %ld to change, %ld to remove", s->add, s->change, s->remove);
  char effect[CAMP_PLAN_EFFECT_SIZE];
  campPlanEffect(s->enrolled, s->left, effect);
  fprintf(p->out, "%s%s.\n", *effect ? "; " : "", effect);
}
