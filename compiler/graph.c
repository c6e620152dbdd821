/*
** compiler/graph.c -- `camp graph`: the workflow of each campaign as
** Graphviz DOT.
**
** Owns: one cluster per campaign of the root file, holding a start node
** (target and filter) and a node per activity (kind, name, delay as `+2h`,
** `where` filter as fmt prints it, expiry), and an edge per trigger
** labelled with its window (`on click ≤30d`, `on no open 3d`).  Node ids
** are numbers in source order, so the output is stable and two activities
** with the same name (an error `camp check` reports) still draw apart.
** Works from the parse tree alone: names and types need not resolve.
** Does not own: parsing (parse.c) or checking (resolve.c).
*/
#include <stdlib.h>
#include <string.h>
#include "compiler/fmt.h"
#include "compiler/graph.h"
#include "runtime/program.h"

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

/* A duration as written, compactly: 2 hours -> 2h, 30 days -> 30d,
** 6 months -> 6mo (units in ast.c's order: minute hour day week month). */
static void duration(FILE *out, const Ast *d) {
  static const struct { const char *sym; int64_t secs; } units[] = {
    { "m", 60 }, { "h", 3600 }, { "d", 86400 }, { "w", 604800 }, { "mo", 2592000 },
  };
  if (d->op >= 1 && d->op <= 5) fprintf(out, "%lld%s", (long long)(d->v.i / units[d->op - 1].secs), units[d->op - 1].sym);
  else fprintf(out, "%llds", (long long)d->v.i);
}

static const Ast *prop(const Ast *decl, PropKind p) {
  for (const Ast *k = decl->kids; k; k = k->next)
    if (k->kind == AST_PROP && k->op == p) return k;
  return NULL;
}

/* "\nwhere EXPR" for a node that has a filter. */
static void filter(const Unit *u, const Ast *decl, FILE *out) {
  const Ast *w = prop(decl, PROP_WHERE);
  if (!w || !w->a) return;
  char *e = campFmtExpr(u, w->a);
  fputs("\\nwhere ", out);
  escapedStr(out, e);
  free(e);
}

typedef struct Walk {
  const Unit *u;
  FILE *out;
  int campaign;       /* 1-based, in source order */
  int next;           /* the next activity number in this campaign */
} Walk;

/* activity := (email|sms|action) NAME [after D] { ... on TRIGGER [within W] { activity* } }
** A node for a, an edge from its parent (from), then its children. */
static void activity(Walk *w, const Ast *a, int from, const Ast *branch) {
  FILE *out = w->out;
  int me = ++w->next;
  fprintf(out, "    c%d_%d [label=\"%s ", w->campaign, me, campAstActKindName(a->op));
  escapedStr(out, a->name ? a->name : "?");
  if (a->a) { fputs("\\n+", out); duration(out, a->a); }
  filter(w->u, a, out);
  const Ast *e = prop(a, PROP_EXPIRE);
  if (e && e->a && e->a->kind == AST_DUR) { fputs("\\nexpire ", out); duration(out, e->a); }
  fprintf(out, "\", shape=%s];\n", a->op == ACT_EMAIL ? "box" : a->op == ACT_SMS ? "note" : "component");
  if (from) fprintf(out, "    c%d_%d -> c%d_%d", w->campaign, from, w->campaign, me);
  else fprintf(out, "    c%d -> c%d_%d", w->campaign, w->campaign, me);
  if (branch) {
    fprintf(out, " [label=\"on %s", campAstTriggerName(branch->op));
    if (branch->a) {
      fputs(branch->op == TRIG_NO_OPEN || branch->op == TRIG_NO_CLICK || branch->op == TRIG_NO_REPLY ? " " : " ≤", out);
      duration(out, branch->a);
    }
    fputs("\"", out);
    if (branch->op == TRIG_NO_OPEN || branch->op == TRIG_NO_CLICK || branch->op == TRIG_NO_REPLY)
      fputs(", style=dashed", out);
    else if (branch->op == TRIG_BOUNCE)
      fputs(", color=red", out);
    fputs("]", out);
  }
  fputs(";\n", out);
  for (const Ast *br = a->kids; br; br = br->next)
    if (br->kind == AST_BRANCH)
      for (const Ast *c = br->kids; c; c = c->next)
        if (c->kind == AST_ACTIVITY) activity(w, c, me, br);
}

void campGraphUnit(const Unit *u, FILE *out) {
  Walk w = { u, out, 0, 0 };
  fputs("digraph camp {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\", fontsize=11];\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n", out);
  for (const Ast *f = u->files; f; f = f->next) {
    if (f->file != u->root) continue;
    for (const Ast *c = f->kids; c; c = c->next) {
      if (c->kind != AST_CAMPAIGN) continue;
      w.campaign++;
      w.next = 0;
      fprintf(out, "  subgraph cluster_%d {\n    label=\"", w.campaign);
      if (c->a && c->a->name) { escapedStr(out, c->a->name); fputs(" (", out); }
      escapedStr(out, c->name ? c->name : "?");
      fputs(c->a && c->a->name ? ")\";\n" : "\";\n", out);
      const Ast *t = prop(c, PROP_TARGET);
      fprintf(out, "    c%d [label=\"start", w.campaign);
      if (t && t->a && t->a->name) { fputs("\\ntarget ", out); escapedStr(out, t->a->name); }
      filter(u, c, out);
      fputs("\", shape=oval];\n", out);
      for (const Ast *a = c->kids; a; a = a->next)
        if (a->kind == AST_ACTIVITY) activity(&w, a, 0, NULL);
      fputs("  }\n", out);
    }
  }
  fputs("}\n", out);
}
