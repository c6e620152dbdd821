/*
** runtime/plan.c -- how a plan is printed (see plan.h).
**
** Owns: marks and their colours, quoting a property's text on one line,
** and the unified diff of texts of several lines.  The diff is libgit2's
** (git_patch_from_buffers): the same hunks `git diff` shows, three lines of
** context, without its file header.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
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
  static const char *const names[] = { "subject", "title", "from", "code", "body file", "text" };
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
    campPlanLine(p, indent - (mark ? 2 : 0), mark, "%s:", field);
    diff(p, indent + 2, old, oldLen, neu, newLen);
    return;
  }
  startLine(p, indent - (mark ? 2 : 0), mark);
  fprintf(p->out, "%s: ", field);
  if (old) value(p, field, old, oldLen);
  if (old && neu) fputs(" -> ", p->out);
  if (neu) value(p, field, neu, newLen);
  fputc('\n', p->out);
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
