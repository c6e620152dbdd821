/*
** compiler/graph.c -- `camp graph`: a campaign's workflow as Graphviz DOT.
**
** Owns: one cluster per campaign, a start node, a node per activity
** (kind, name, delay, filter, expiry) and an edge per trigger labelled with
** its window, in source order so the output is stable.
*/
#include <string.h>
#include "compiler/disasm.h"
#include "compiler/fmt.h"
#include "compiler/resolve.h"
#include "runtime/program.h"

/* A DOT string: the source text of a span, escaped. */
static void quoted(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"' || s[i] == '\\') fputc('\\', out);
    if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') { fputc(' ', out); continue; }
    fputc(s[i], out);
  }
}

static void activity(Unit *u, const Ast *a, const char *camp, const char *from, int trigger, const Ast *window, FILE *out) {
  char d[32];
  const Source *src = &u->diags->src[a->file];
  fprintf(out, "    \"%s.%s\" [label=\"%s %s", camp, a->name, campAstActKindName(a->op), a->name);
  if (a->a && a->a->v.i) { campDisasmDuration(a->a->v.i, d, sizeof d); fprintf(out, "\\nafter %s", d); }
  const Ast *w = campResolveProp(a, PROP_WHERE), *e = campResolveProp(a, PROP_EXPIRE);
  if (w) { fputs("\\nwhere ", out); quoted(out, src->text + w->a->off, w->a->len); }
  if (e) { campDisasmDuration(e->a->v.i, d, sizeof d); fprintf(out, "\\nexpire %s", d); }
  fprintf(out, "\", shape=%s];\n", a->op == ACT_EMAIL ? "box" : a->op == ACT_SMS ? "note" : "component");
  fprintf(out, "    \"%s\" -> \"%s.%s\"", from, camp, a->name);
  if (trigger != TRIG_BEGIN) {
    fprintf(out, " [label=\"on %s", campAstTriggerName(trigger));
    if (window) { campDisasmDuration(window->v.i, d, sizeof d); fprintf(out, trigger >= TRIG_NO_OPEN ? " %s" : " ≤%s", d); }
    fputs("\"]", out);
  }
  fputs(";\n", out);
  char me[512];
  snprintf(me, sizeof me, "%s.%s", camp, a->name);
  for (const Ast *br = a->kids; br; br = br->next)
    if (br->kind == AST_BRANCH)
      for (const Ast *c = br->kids; c; c = c->next) activity(u, c, camp, me, br->op, br->a, out);
}

void campGraphUnit(Unit *u, FILE *out) {
  fputs("digraph camp {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n", out);
  for (const Ast *f = u->files; f; f = f->next) {
    if (f->file != u->root) continue;
    for (const Ast *c = f->kids; c; c = c->next) {
      if (c->kind != AST_CAMPAIGN) continue;
      const Ast *t = campResolveProp(c, PROP_TARGET), *w = campResolveProp(c, PROP_WHERE);
      fprintf(out, "  subgraph \"cluster_%s\" {\n    label=\"", c->name);
      quoted(out, c->a->name, c->a->nameLen);
      fputs("\";\n", out);
      fprintf(out, "    \"%s\" [label=\"start: %s", c->name, t ? t->a->name : "?");
      if (w) { fputs("\\nwhere ", out); quoted(out, u->diags->src[w->a->file].text + w->a->off, w->a->len); }
      fputs("\", shape=oval];\n", out);
      for (const Ast *a = c->kids; a; a = a->next)
        if (a->kind == AST_ACTIVITY) activity(u, a, c->name, c->name, TRIG_BEGIN, NULL, out);
      fputs("  }\n", out);
    }
  }
  fputs("}\n", out);
}
