/*
** compiler/graph.c -- `camp graph`: campaigns' workflows, and the mailings,
** lists and models around them, as Graphviz DOT.
**
** Owns: the drawing, one function per kind of node and edge, fed from either
** source: the parse tree of a file (campGraphUnit: names and types need not
** resolve, so a half-written campaign still draws) or a deployed image with
** the store's numbers (campGraphProgram).  A campaign is a cluster holding a
** start node (target, filter) and a node per activity (kind, name, delay,
** filter, expiry and, deployed, its counts), with an edge per trigger in
** words ("clicked within 30 days", "not opened within 3 days", "visited
** /pricing% within 2 days", "event signup within 7 days").  A mailing is
** a node (title, list, send time, subject) with an edge to its list; a list a
** node (target, filter or manual members); a model a node with its fields.
** A campaign testing in_list(L) or acting with add_to_list(L) or
** remove_from_list(L) gets an edge to L when L is drawn (from a file: L is
** declared in it; from an image: L is found in the code and drawn).  Node
** ids are numbers in source order (an image keeps that order), so the output
** is stable and two activities with the same name (an error `camp check`
** reports) still draw apart.  Edges from inside a cluster to a node outside come after every
** cluster: in DOT, an edge written inside a cluster pulls its far end in.
** Does not own: parsing (parse.c), checking (resolve.c), the numbers
** (runtime/store_counts.c, joined in cli/graph.c).
*/
#include <stdlib.h>
#include <string.h>
#include "compiler/disasm.h"
#include "compiler/fmt.h"
#include "compiler/graph.h"
#include "runtime/clock.h"
#include "runtime/opcodes.h"

/* -- text ---------------------------------------------------------------------- */

/* Text inside a DOT "..." string: quote and backslash escaped, control
** characters as spaces (a backslash sequence like \n stays literal). */
static void escaped(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fputc('\\', out);
    fputc(c < 0x20 ? ' ' : c, out);
  }
}

static void escapedStr(FILE *out, const char *s) { escaped(out, s, strlen(s)); }

/* One more line of a label: prefix, then text escaped. */
static void labelLine(FILE *out, const char *prefix, const char *text) {
  fputs("\\n", out);
  fputs(prefix, out);
  escapedStr(out, text);
}

/* Seconds in words, as everything camp prints ("2 weeks", "1 day 12 hours"). */
static void duration(FILE *out, int64_t s) {
  char text[CAMP_CLOCK_DURATION_SIZE];
  campClockFormatDuration(s, text);
  fputs(text, out);
}

/* -- nodes and edges, whatever they are drawn from ------------------------------- */

static void header(FILE *out) {
  fputs("digraph camp {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\", fontsize=11];\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n", out);
}

/* "version 2, running" (a deployed campaign or mailing). */
static void liveLine(FILE *out, const GraphLive *live) {
  fprintf(out, "\\nversion %d, ", live->version);
  escapedStr(out, live->state ? live->state : "?");
}

static void countsLines(FILE *out, int kind, const GraphCounts *n) {
  fprintf(out, "\\nprocessed %lld, rejected %lld, waiting %lld", (long long)n->processed, (long long)n->rejected,
          (long long)n->waiting);
  if (n->canceled) fprintf(out, ", canceled %lld", (long long)n->canceled);
  if (n->error) fprintf(out, ", error %lld", (long long)n->error);
  if (kind != ACT_ACTION)
    fprintf(out, "\\nsent %lld, opened %lld, clicked %lld", (long long)n->sent, (long long)n->opened, (long long)n->clicked);
}

/* A campaign's cluster label: "Title (name)", deployed: its version and state. */
static void clusterOpen(FILE *out, int camp, const char *title, const char *name, const GraphLive *live) {
  int titled = title && *title;
  fprintf(out, "  subgraph cluster_%d {\n    label=\"", camp);
  if (titled) { escapedStr(out, title); fputs(" (", out); }
  escapedStr(out, name ? name : "?");
  if (titled) fputc(')', out);
  if (live) liveLine(out, live);
  fputs("\";\n", out);
}

/* A campaign's timing as either source knows it (drawn on its start node). */
typedef struct GraphTiming {
  const char *tz, *tzField;   /* NULL: none */
  ProgWindow win;             /* days 0: none */
  ProgCap cap[2];             /* email, sms; n 0: none */
  int priority;
} GraphTiming;

static void timingLines(FILE *out, const GraphTiming *t) {
  char text[64];
  if (t->tz) labelLine(out, "timezone ", t->tz);
  if (t->tzField) labelLine(out, "timezone from ", t->tzField);
  if (t->win.days) { campDisasmWindow(&t->win, text, sizeof text); labelLine(out, "send between ", text); }
  for (int k = 0; k < 2; k++)
    if (t->cap[k].n) { fprintf(out, "\\ncap %s %u per ", k ? "sms" : "email", t->cap[k].n); duration(out, t->cap[k].period); }
  if (t->priority != CAMP_PRIORITY_DEFAULT) fprintf(out, "\\npriority %d", t->priority);
}

static void startNode(FILE *out, int camp, const char *target, const char *where, const GraphTiming *timing,
                      const GraphLive *live) {
  fprintf(out, "    c%d [label=\"start", camp);
  if (target) labelLine(out, "target ", target);
  if (where) labelLine(out, "where ", where);
  timingLines(out, timing);
  if (live) {
    fprintf(out, "\\nparticipants: %lld running, %lld completed, %lld left", (long long)live->running,
            (long long)live->completed, (long long)live->left);
    if (live->unlinked) fprintf(out, ", %lld unlinked", (long long)live->unlinked);
  }
  fputs("\", shape=oval];\n", out);
}

/* One activity as either source knows it. */
typedef struct GraphAct {
  int kind;                 /* ActKind */
  const char *name;
  int64_t delay, expire;    /* seconds, 0: none */
  int32_t days, months;     /* the delay's calendar parts */
  int at;                   /* `at HH:MM` in minutes, CAMP_NO_TIME: none */
  const char *where;        /* the filter (an if's condition) as text, or NULL */
  const GraphCounts *n;     /* deployed: its numbers, else NULL */
} GraphAct;

/* "\nafter 1 month 2 weeks 3 hours": a delay with its calendar parts (weeks when the days are whole weeks). */
static void delayWords(FILE *out, int32_t months, int32_t days, int64_t secs) {
  int32_t n = days % 7 ? days : days / 7;
  fputs("\\nafter", out);
  if (months) fprintf(out, " %d month%s", months, months == 1 ? "" : "s");
  if (days) fprintf(out, " %d %s%s", n, days % 7 ? "day" : "week", n == 1 ? "" : "s");
  if (secs) { fputc(' ', out); duration(out, secs); }
}

static const char *actShape(int kind) {
  return kind == ACT_EMAIL ? "box" : kind == ACT_SMS ? "note" : campActIsBranch(kind) ? "diamond" : "component";
}

static void activityNode(FILE *out, int camp, int id, const GraphAct *a) {
  fprintf(out, "    c%d_%d [label=\"%s ", camp, id, campAstActKindName(a->kind));
  escapedStr(out, a->name ? a->name : "?");
  if (a->delay || a->days || a->months) delayWords(out, a->months, a->days, a->delay);
  if (a->at != (int)CAMP_NO_TIME) fprintf(out, "\\nat %02d:%02d", a->at / 60, a->at % 60);
  if (a->where) labelLine(out, a->kind == ACT_IF ? "" : "where ", a->where);
  if (a->expire) { fputs("\\nexpire ", out); duration(out, a->expire); }
  if (a->n && !campActIsBranch(a->kind)) countsLines(out, a->kind, a->n);
  else if (a->n) fprintf(out, "\\nprocessed %lld, waiting %lld", (long long)a->n->processed, (long long)a->n->waiting);
  fprintf(out, "\", shape=%s%s];\n", actShape(a->kind), a->n && a->n->error ? ", color=red" : "");
}

/* The edge from branch node `from` to the first activity of one of its
** paths, labelled with the path: its share ("50%") or "then" / "else". */
static void pathEdge(FILE *out, int camp, int from, int to, const char *label) {
  fprintf(out, "    c%d_%d -> c%d_%d [label=\"", camp, from, camp, to);
  escapedStr(out, label);
  fputs("\"];\n", out);
}

/* A path of branch node `from` with no activities (a split's holdout, an
** if without else): a small end node of its own, k its path number. */
static void pathEnd(FILE *out, int camp, int from, int k, const char *label) {
  fprintf(out, "    c%d_%d_%d [label=\"end\", shape=plaintext];\n    c%d_%d -> c%d_%d_%d [label=\"", camp, from, k, camp, from,
          camp, from, k);
  escapedStr(out, label);
  fputs("\", style=dotted];\n", out);
}

/* A visit branch's condition (VisitMatch, the URL pattern or event name;
** NULL for MATCH_ANY) as the words of its edge. */
typedef struct GraphCond { int match; const char *pattern; } GraphCond;

/* The trigger in words: "clicked", "visited /pricing%", "event signup",
** "no visit", "no event signup". */
static void triggerWords(FILE *out, int trig, const GraphCond *cond) {
  static const char *const words[] = {
    [TRIG_DONE] = "done", [TRIG_OPEN] = "opened", [TRIG_CLICK] = "clicked", [TRIG_REPLY] = "replied",
    [TRIG_BOUNCE] = "bounced", [TRIG_NO_OPEN] = "not opened", [TRIG_NO_CLICK] = "not clicked", [TRIG_NO_REPLY] = "no reply",
    [TRIG_VISIT] = "visited", [TRIG_NO_VISIT] = "no visit",
  };
  int visit = trig == TRIG_VISIT || trig == TRIG_NO_VISIT;
  if (!visit || !cond || !cond->pattern || cond->match == MATCH_ANY) { fputs(words[trig], out); return; }
  if (cond->match == MATCH_EVENT) fputs(trig == TRIG_NO_VISIT ? "no event " : "event ", out);
  else { fputs(words[trig], out); fputc(' ', out); }
  escapedStr(out, cond->pattern);
}

/* The edge into activity `to` from its parent (from; 0: the start node),
** labelled with its trigger in words (cond: a visit branch's condition, or
** NULL). */
static void triggerEdge(FILE *out, int camp, int from, int to, int trig, int64_t window, const GraphCond *cond) {
  if (from) fprintf(out, "    c%d_%d -> c%d_%d", camp, from, camp, to);
  else fprintf(out, "    c%d -> c%d_%d", camp, camp, to);
  if (trig <= TRIG_BEGIN || trig > TRIG_NO_VISIT) { fputs(";\n", out); return; }
  fputs(" [label=\"", out);
  triggerWords(out, trig, cond);
  if (window) { fputs(" within ", out); duration(out, window); }
  fputc('"', out);
  if (campTriggerNegative(trig)) fputs(", style=dashed", out);
  else if (trig == TRIG_BOUNCE) fputs(", color=red", out);
  fputs("];\n", out);
}

/* where NULL: a manual list (members added by actions or by hand). */
static void listNode(FILE *out, int id, const char *name, const char *title, const char *target, const char *where) {
  fprintf(out, "  l%d [label=\"list ", id);
  escapedStr(out, name ? name : "?");
  if (title && *title) labelLine(out, "", title);
  if (target) labelLine(out, "target ", target);
  if (where) labelLine(out, "where ", where);
  else fputs("\\nmanual members", out);
  fputs("\", shape=folder];\n", out);
}

/* One mailing as either source knows it. */
typedef struct GraphMailing {
  const char *name, *title, *list;
  int64_t at;               /* the send time, 0: when started (images before v4), CAMP_AT_MANUAL: by camp send */
  const char *subject;      /* as written, or NULL (an image has no source) */
  const GraphLive *live;    /* deployed: its state and numbers, else NULL */
  const GraphCounts *n;
  int atLocal;              /* `at … local`: at is a wall-clock time in each recipient's zone */
  const char *test;         /* an A/B test in words ("A/B test 20%: a, b; winner by opens after 4 hours"), or NULL */
} GraphMailing;

static void mailingNode(FILE *out, int id, const GraphMailing *m) {
  fprintf(out, "  m%d [label=\"mailing ", id);
  escapedStr(out, m->name ? m->name : "?");
  if (m->title && *m->title) labelLine(out, "", m->title);
  if (m->list) labelLine(out, "to list ", m->list);
  if (m->at == CAMP_AT_MANUAL) fputs("\\nmanual (camp send)", out);
  else if (m->at) {
    char iso[CAMP_CLOCK_ISO_SIZE];
    campClockFormat(m->at, iso);
    if (m->atLocal) fprintf(out, "\\nat %.10s %.5s local", iso, iso + 11);
    else labelLine(out, "at ", iso);
  } else fputs("\\nwhen started", out);
  if (m->subject) labelLine(out, "subject ", m->subject);
  if (m->test) labelLine(out, "", m->test);
  if (m->live) liveLine(out, m->live);
  if (m->n) countsLines(out, ACT_EMAIL, m->n);
  fprintf(out, "\", shape=box, style=rounded%s];\n", m->n && m->n->error ? ", color=red" : "");
}

/* An edge to list node `list` from a campaign's start node (act 0), one of
** its activities, or (camp 0) mailing node act. */
static void listEdge(FILE *out, int camp, int act, int list, const char *label, const char *style) {
  if (!camp) fprintf(out, "  m%d -> l%d", act, list);
  else if (act) fprintf(out, "  c%d_%d -> l%d", camp, act, list);
  else fprintf(out, "  c%d -> l%d", camp, list);
  fprintf(out, " [label=\"%s\", style=%s];\n", label, style);
}

/* -- from the parse tree ----------------------------------------------------------- */

static const Ast *prop(const Ast *decl, PropKind p) {
  for (const Ast *k = decl->kids; k; k = k->next)
    if (k->kind == AST_PROP && k->op == p) return k->a;
  return NULL;
}

static const char *propName(const Ast *decl, PropKind p) {
  const Ast *v = prop(decl, p);
  return v && v->name ? v->name : NULL;
}

/* The filter of decl as fmt prints it (malloc'd), or NULL. */
static char *whereOf(const Unit *u, const Ast *decl) {
  const Ast *w = prop(decl, PROP_WHERE);
  return w ? campFmtExpr(u, w) : NULL;
}


typedef struct Walk {
  const Unit *u;
  FILE *out;
  int campaign, mailing, model;   /* the last number given to each, in source order */
  int next;                       /* the last activity number given in this campaign */
} Walk;

/* The declarations of u's root file, in source order: fn(w, decl) each. */
static void eachDecl(Walk *w, void (*fn)(Walk *, const Ast *)) {
  for (const Ast *f = w->u->files; f; f = f->next)
    if (f->file == w->u->root)
      for (const Ast *c = f->kids; c; c = c->next) fn(w, c);
}

/* The node number of the root file's list named name; 0: it is not drawn. */
static int listId(const Unit *u, const char *name) {
  int n = 0;
  for (const Ast *f = u->files; f; f = f->next)
    if (f->file == u->root)
      for (const Ast *c = f->kids; c; c = c->next) {
        if (c->kind != AST_LIST) continue;
        n++;
        if (c->name && name && !strcmp(c->name, name)) return n;
      }
  return 0;
}

/* activity := (email|sms|action) NAME [after D] { ... on TRIGGER [within W] { activity* } }
** Its node, the edge from its parent (from; 0: the start), then its children. */
/* A path's label: its share as written ("12.5%"), or "then" / "else". */
static void pathLabel(const Ast *path, char *buf, size_t n) {
  if (!path->a) snprintf(buf, n, "%s", path->index ? "else" : "then");
  else if (path->a->kind == AST_INT) snprintf(buf, n, "%lld%%", (long long)path->a->v.i);
  else snprintf(buf, n, "%g%%", path->a->v.r);
}

/* activity := (email|sms|action) NAME [after D] [at HH:MM] { ... on TRIGGER [within W] { activity* } }
**           | split [NAME] { N% { activity* } ... } | if COND { activity* } [else { activity* }]
** Its node, the edge from its parent (from; 0: the start) on a branch or a
** path (under, either, NULL at the top), then its children. */
static void activity(Walk *w, const Ast *a, int from, const Ast *under) {
  int me = ++w->next;
  const Ast *exp = prop(a, PROP_EXPIRE);
  char *where = whereOf(w->u, a);
  GraphAct g = { a->op, a->name, 0, exp && exp->kind == AST_DUR ? exp->v.i : 0, 0, 0,
                 a->b ? (int)a->b->v.i : (int)CAMP_NO_TIME, where, NULL };
  campAstDelayParts(a->a, &g.delay, &g.days, &g.months);
  activityNode(w->out, w->campaign, me, &g);
  free(where);
  if (under && under->kind == AST_PATH) {
    char label[32];
    pathLabel(under, label, sizeof label);
    pathEdge(w->out, w->campaign, from, me, label);
  } else {
    const Ast *cond = under ? under->b : NULL;           /* where url like "…" | event "…" */
    GraphCond gc = { cond && cond->op == PROP_URL ? MATCH_URL : MATCH_EVENT, cond && cond->a ? cond->a->name : NULL };
    triggerEdge(w->out, w->campaign, from, me, under ? under->op : TRIG_BEGIN, under && under->a ? under->a->v.i : 0,
                cond ? &gc : NULL);
  }
  int paths = 0;
  for (const Ast *br = a->kids; br; br = br->next) {      /* the paths nobody continues on, as the image draws them */
    if (br->kind == AST_PATH && !br->kids) {
      char label[32];
      pathLabel(br, label, sizeof label);
      pathEnd(w->out, w->campaign, me, br->index, label);
    }
    paths += br->kind == AST_PATH;
  }
  if (a->op == ACT_IF && paths == 1) pathEnd(w->out, w->campaign, me, 1, "else");
  for (const Ast *br = a->kids; br; br = br->next)
    if (br->kind == AST_BRANCH || br->kind == AST_PATH)
      for (const Ast *c = br->kids; c; c = c->next)
        if (c->kind == AST_ACTIVITY) activity(w, c, me, br);
}

/* model := model NAME { (FIELD TYPE)* [optout FIELD] }: a node with its fields. */
static void modelNode(Walk *w, const Ast *d) {
  FILE *out = w->out;
  fprintf(out, "  d%d [label=\"model ", ++w->model);
  escapedStr(out, d->name ? d->name : "?");
  for (const Ast *f = d->kids; f; f = f->next)
    if (f->kind == AST_FIELD) {
      labelLine(out, "", f->name ? f->name : "?");
      if (f->a && f->a->name) { fputc(' ', out); escapedStr(out, f->a->name); }
    }
  for (const Ast *p = d->b; p; p = p->next)
    if (p->kind == AST_PROP && p->op == PROP_OPTOUT && p->a && p->a->name) labelLine(out, "opt-out ", p->a->name);
  fputs("\", shape=cylinder];\n", out);
}

/* A mailing's `test N% { variant … winner by M after D }` in words
** (malloc'd), or NULL. */
static char *testWords(const Ast *d) {
  const Ast *t = NULL;
  for (const Ast *k = d->kids; k; k = k->next)
    if (k->kind == AST_PROP && k->op == PROP_TEST) t = k;
  if (!t || !t->a) return NULL;
  char *s = NULL, *variants = strdup(""), winner[CAMP_CLOCK_DURATION_SIZE + 64] = "";
  for (const Ast *k = t->kids; k && variants; k = k->next) {
    if (k->kind == AST_VARIANT) {
      char *more = NULL;
      if (asprintf(&more, "%s%s%s", variants, *variants ? ", " : "", k->name ? k->name : "?") < 0) more = NULL;
      free(variants);
      variants = more;
    } else if (k->a && k->b && k->a->name) {
      char after[CAMP_CLOCK_DURATION_SIZE];
      campClockFormatDuration(k->b->v.i, after);
      snprintf(winner, sizeof winner, "; winner by %s after %s", k->a->name, after);
    }
  }
  if (!variants || asprintf(&s, "A/B test %lld%%: %s%s", (long long)t->a->v.i, variants, winner) < 0) s = NULL;
  free(variants);
  return s;
}

/* A campaign's timing from its properties. */
static GraphTiming timingOf(const Ast *d) {
  GraphTiming t = { propName(d, PROP_TIMEZONE), propName(d, PROP_TZFIELD), { 0, 0, 0 }, { { 0, 0 }, { 0, 0 } },
                    CAMP_PRIORITY_DEFAULT };
  for (const Ast *k = d->kids; k; k = k->next) {
    if (k->kind != AST_PROP || !k->a) continue;
    if (k->op == PROP_WINDOW && k->b) t.win = (ProgWindow){ (uint16_t)k->a->v.i, (uint16_t)k->b->v.i, (uint8_t)k->v.i };
    if (k->op == PROP_CAP && k->b && k->kids && k->a->name)
      t.cap[!strcmp(k->a->name, "sms")] = (ProgCap){ (uint32_t)k->b->v.i, k->kids->v.i };
    if (k->op == PROP_PRIORITY) t.priority = (int)k->a->v.i;
  }
  return t;
}

/* Pass 1: a node per model, list and mailing, a cluster per campaign. */
static void declNodes(Walk *w, const Ast *d) {
  if (d->kind == AST_MODEL) modelNode(w, d);
  else if (d->kind == AST_LIST) {
    char *where = whereOf(w->u, d);
    listNode(w->out, listId(w->u, d->name), d->name, d->a ? d->a->name : NULL, propName(d, PROP_TARGET), where);
    free(where);
  } else if (d->kind == AST_MAILING) {
    const Ast *at = prop(d, PROP_AT), *subject = prop(d, PROP_SUBJECT);
    char *test = testWords(d);
    GraphMailing m = { d->name, d->a ? d->a->name : NULL, propName(d, PROP_TO), !at ? CAMP_AT_MANUAL : at->kind == AST_TIME ? at->v.i : 0,
                       subject && subject->kind == AST_STR ? subject->name : NULL, NULL, NULL, 0, test };
    for (const Ast *k = d->kids; k; k = k->next)
      if (k->kind == AST_PROP && k->op == PROP_AT) m.atLocal = (int)k->v.i;
    mailingNode(w->out, ++w->mailing, &m);
    free(test);
  } else if (d->kind == AST_CAMPAIGN) {
    w->next = 0;
    clusterOpen(w->out, ++w->campaign, d->a ? d->a->name : NULL, d->name, NULL);
    char *where = whereOf(w->u, d), *list = NULL;
    const char *to = propName(d, PROP_TO);               /* `target list NAME` */
    if (to && asprintf(&list, "list %s", to) < 0) list = NULL;
    GraphTiming t = timingOf(d);
    startNode(w->out, w->campaign, list ? list : propName(d, PROP_TARGET), where, &t, NULL);
    free(list);
    free(where);
    for (const Ast *a = d->kids; a; a = a->next)
      if (a->kind == AST_ACTIVITY) activity(w, a, 0, NULL);
    fputs("  }\n", w->out);
  }
}

/* An edge from node act (0: the start) of the current campaign to each
** drawn list that n names through in_list (dashed), add_to_list or
** remove_from_list (dotted), n's subtree included. */
static void listCalls(Walk *w, const Ast *n, int act) {
  if (!n) return;
  if (n->kind == AST_CALL && n->name && n->kids && n->kids->kind == AST_NAME) {
    int in = !strcmp(n->name, "in_list"), edit = !strcmp(n->name, "add_to_list") || !strcmp(n->name, "remove_from_list");
    int l = in || edit ? listId(w->u, n->kids->name) : 0;
    if (l) listEdge(w->out, w->campaign, act, l, n->name, in ? "dashed" : "dotted");
  }
  listCalls(w, n->a, act);
  listCalls(w, n->b, act);
  for (const Ast *k = n->kids; k; k = k->next) listCalls(w, k, act);
}

/* The list edges of activity a (its filter and actions) and of its children,
** numbered as pass 1 numbered them. */
static void activityEdges(Walk *w, const Ast *a) {
  int me = ++w->next;
  for (const Ast *k = a->kids; k; k = k->next)
    if (k->kind != AST_BRANCH && k->kind != AST_PATH) listCalls(w, k, me);
  for (const Ast *br = a->kids; br; br = br->next)
    if (br->kind == AST_BRANCH || br->kind == AST_PATH)
      for (const Ast *c = br->kids; c; c = c->next)
        if (c->kind == AST_ACTIVITY) activityEdges(w, c);
}

/* Pass 2: the edges that leave a cluster or join top-level nodes. */
static void declEdges(Walk *w, const Ast *d) {
  if (d->kind == AST_MAILING) {
    int l = listId(w->u, propName(d, PROP_TO));
    ++w->mailing;
    if (l) listEdge(w->out, 0, w->mailing, l, "to", "solid");
  } else if (d->kind == AST_CAMPAIGN) {
    w->next = 0;
    ++w->campaign;
    int l = listId(w->u, propName(d, PROP_TO));
    if (l) listEdge(w->out, w->campaign, 0, l, "target", "solid");
    for (const Ast *k = d->kids; k; k = k->next)
      if (k->kind == AST_PROP) listCalls(w, k, 0);
    for (const Ast *a = d->kids; a; a = a->next)
      if (a->kind == AST_ACTIVITY) activityEdges(w, a);
  }
}

void campGraphUnit(const Unit *u, FILE *out) {
  Walk w = { u, out, 0, 0, 0, 0 };
  header(out);
  eachDecl(&w, declNodes);
  w.campaign = w.mailing = 0;
  eachDecl(&w, declEdges);
  fputs("}\n", out);
}

/* -- from a deployed image ------------------------------------------------------------ */

/* "… (FILE:LINE)" for filter block code: where it is written, as the image
** keeps code, not its source text.  malloc'd; NULL for CAMP_NONE or out of
** memory (then no filter is drawn). */
static char *codeWhere(const Program *p, uint32_t code) {
  if (code >= p->ncode) return NULL;
  const ProgCode *c = &p->code[code];
  const char *file = c->file < p->nstr ? p->str[c->file] : "?", *slash = strrchr(file, '/');
  size_t n = strlen(file) + 32;
  char *s = malloc(n);
  if (s) snprintf(s, n, "\xe2\x80\xa6 (%s:%u)", slash ? slash + 1 : file, c->line);
  return s;
}

static const char *modelName(const Program *p, uint32_t m) { return m < p->nmodel ? p->str[p->models[m].name] : NULL; }

/* A share in basis points as a percentage: 50%, 12.5%, 6.67%. */
static void imageShare(uint32_t bp, char *buf, size_t n) {
  if (bp % 100 == 0) snprintf(buf, n, "%u%%", bp / 100);
  else snprintf(buf, n, "%g%%", bp / 100.0);
}

/* An image mailing's A/B test in words, as testWords says it (malloc'd), or NULL. */
static char *imageTestWords(const Program *p, const ProgCampaign *c) {
  const ProgActivity *s = &p->acts[c->firstAct];
  if (c->nact < 3 || s->kind != ACT_SPLIT) return NULL;
  const ProgActivity *w = &p->acts[c->firstAct + c->nact - 1];
  uint32_t bp = 10000 - p->shares[s->share0 + s->nshare - 1];
  char share[32], d[CAMP_CLOCK_DURATION_SIZE], *names = strdup(""), *out = NULL;
  imageShare(bp, share, sizeof share);
  campClockFormatDuration(w->delay + ((int64_t)w->delayMonths * 30 + w->delayDays) * 86400, d);   /* a label: a month as 30 days */
  for (uint32_t i = 1; i + 1 < c->nact && names; i++) {
    char *more = NULL;
    if (asprintf(&more, "%s%s%s", names, *names ? ", " : "", p->str[p->acts[c->firstAct + i].name]) < 0) more = NULL;
    free(names);
    names = more;
  }
  if (!names || asprintf(&out, "A/B test %s: %s; winner by %s after %s", share, names,
                         w->abMetric == AB_CLICKS ? "clicks" : "opens", d) < 0) out = NULL;
  free(names);
  return out;
}

/* A mailing as the image runs it (a campaign with one email over its
** list): the list's node and the mailing's, with the email's numbers. */
static void imageMailing(const Program *p, const ProgCampaign *c, const GraphLive *live, FILE *out) {
  const ProgList *l = &p->lists[c->list];
  char *where = codeWhere(p, l->filter);
  listNode(out, 1, p->str[l->name], p->str[l->title], modelName(p, l->model), where);
  free(where);
  GraphCounts sum = { 0 };
  for (uint32_t i = 0; live && i < c->nact; i++) {          /* an A/B test: its emails together */
    const GraphCounts *n = &live->acts[c->firstAct + i];
    if (p->acts[c->firstAct + i].kind != ACT_EMAIL) continue;
    sum.waiting += n->waiting; sum.processed += n->processed; sum.rejected += n->rejected; sum.canceled += n->canceled;
    sum.error += n->error; sum.sent += n->sent; sum.opened += n->opened; sum.clicked += n->clicked;
  }
  char *test = imageTestWords(p, c);
  GraphMailing m = { p->str[c->name], p->str[c->title], p->str[l->name], c->at, NULL, live, live ? &sum : NULL,
                     c->atLocal, test };
  mailingNode(out, 1, &m);
  free(test);
  listEdge(out, 0, 1, 1, "to", "solid");
}

/* The list calls of one block: in_list, add_to_list or remove_from_list with
** its list as the constant pushed just before (how codegen passes an 'L'
** argument: the list's index as an int).  fn(ctx, native, list) each; a
** loaded image is valid code (program.c checked it). */
typedef void (*ListCallFn)(void *ctx, int act, const char *native, uint32_t list);
static void blockListCalls(const Program *p, uint32_t block, int act, ListCallFn fn, void *ctx) {
  if (block >= p->ncode) return;
  const ProgCode *c = &p->code[block];
  uint32_t k = CAMP_NONE;                     /* the constant the previous instruction pushed */
  for (uint32_t pc = c->start; pc < c->start + c->len && p->bc[pc] < OP_COUNT_; pc += campOpcodes[p->bc[pc]].len) {
    const uint8_t *x = p->bc + pc + 1;
    uint8_t op = p->bc[pc];
    if (op == OP_CALL || op == OP_ACTION) {
      unsigned n = x[0] | x[1] << 8;
      const char *name = (int)n < campNativeCount ? campNatives[n].name : "";
      int listy = !strcmp(name, "in_list") || !strcmp(name, "add_to_list") || !strcmp(name, "remove_from_list");
      if (listy && x[2] == 1 && k < p->nconst && p->consts[k].tag == VAL_INT && p->consts[k].u.i >= 0 &&
          p->consts[k].u.i < p->nlist)
        fn(ctx, act, name, (uint32_t)p->consts[k].u.i);
    }
    k = op == OP_CONST ? ((uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24) : CAMP_NONE;
  }
}

/* Every list call of campaign c's filter and of its activities' filters and
** actions, with the node it comes from (0: the start). */
static void campaignListCalls(const Program *p, const ProgCampaign *c, ListCallFn fn, void *ctx) {
  blockListCalls(p, c->filter, 0, fn, ctx);
  for (uint32_t i = 0; i < c->nact; i++) {
    blockListCalls(p, p->acts[c->firstAct + i].filter, (int)i + 1, fn, ctx);
    blockListCalls(p, p->acts[c->firstAct + i].actions, (int)i + 1, fn, ctx);
  }
}

typedef struct ImageLists { const Program *p; FILE *out; uint8_t *drawn; } ImageLists;

static void listOnce(void *ctx, int act, const char *native, uint32_t list) {
  ImageLists *il = ctx;
  (void)act, (void)native;
  if (il->drawn[list]) return;
  il->drawn[list] = 1;
  const ProgList *l = &il->p->lists[list];
  char *where = codeWhere(il->p, l->filter);
  listNode(il->out, (int)list + 1, il->p->str[l->name], il->p->str[l->title], modelName(il->p, l->model), where);
  free(where);
}

static void listCallEdge(void *ctx, int act, const char *native, uint32_t list) {
  ImageLists *il = ctx;
  listEdge(il->out, 1, act, (int)list + 1, native, !strcmp(native, "in_list") ? "dashed" : "dotted");
}

/* The paths of branch node b (an image activity index) that no activity
** continues on: an end node each. */
static void imagePathEnds(const Program *p, const ProgCampaign *c, uint32_t b, FILE *out) {
  const ProgActivity *n = &p->acts[b];
  uint32_t npath = n->kind == ACT_IF ? 2 : n->nshare;
  for (uint32_t k = 0; k < npath; k++) {
    int used = 0;
    for (uint32_t i = c->firstAct; i < c->firstAct + c->nact && !used; i++) used = p->acts[i].parent == b && p->acts[i].path == k;
    if (used) continue;
    char label[32] = "then";
    if (n->kind == ACT_SPLIT) imageShare(p->shares[n->share0 + k], label, sizeof label);
    else if (k) strcpy(label, "else");
    pathEnd(out, 1, (int)(b - c->firstAct) + 1, (int)k, label);
  }
}

static void imageCampaign(const Program *p, const ProgCampaign *c, const GraphLive *live, FILE *out) {
  clusterOpen(out, 1, p->str[c->title], p->str[c->name], live);
  char *where = codeWhere(p, c->filter);
  GraphTiming t = { c->tz < p->nstr ? p->str[c->tz] : NULL,
                    c->tzField != CAMP_NONE ? p->str[p->models[c->model].fields[c->tzField].name] : NULL,
                    c->win, { c->cap[0], c->cap[1] }, c->priority };
  startNode(out, 1, modelName(p, c->model), where, &t, live);
  free(where);
  for (uint32_t i = 0; i < c->nact; i++) {
    const ProgActivity *a = &p->acts[c->firstAct + i];
    where = codeWhere(p, a->filter);
    GraphAct g = { a->kind, p->str[a->name], a->delay, a->expire, a->delayDays, a->delayMonths, a->atMinute, where,
                   live ? &live->acts[c->firstAct + i] : NULL };
    activityNode(out, 1, (int)i + 1, &g);
    free(where);
    int from = a->parent >= c->firstAct && a->parent < c->firstAct + c->nact ? (int)(a->parent - c->firstAct) + 1 : 0;
    GraphCond gc = { a->match, a->pattern < p->nstr ? p->str[a->pattern] : NULL };
    if (a->path != CAMP_NONE && from) {
      const ProgActivity *b = &p->acts[a->parent];
      char label[32] = "then";
      if (b->kind == ACT_SPLIT) imageShare(p->shares[b->share0 + a->path], label, sizeof label);
      else if (a->path) strcpy(label, "else");
      pathEdge(out, 1, from, (int)i + 1, label);
    } else triggerEdge(out, 1, from, (int)i + 1, a->trigger, a->window, &gc);
    if (campActIsBranch(a->kind)) imagePathEnds(p, c, c->firstAct + i, out);
  }
  fputs("  }\n", out);
  ImageLists il = { p, out, calloc(p->nlist ? p->nlist : 1, 1) };
  if (!il.drawn) return;                      /* out of memory: the workflow without its lists */
  campaignListCalls(p, c, listOnce, &il);
  campaignListCalls(p, c, listCallEdge, &il);
  free(il.drawn);
}

void campGraphProgram(const Program *p, uint32_t camp, const GraphLive *live, FILE *out) {
  const ProgCampaign *c = &p->camps[camp];
  header(out);
  if (c->isMailing && c->list < p->nlist) imageMailing(p, c, live, out);
  else imageCampaign(p, c, live, out);
  fputs("}\n", out);
}
