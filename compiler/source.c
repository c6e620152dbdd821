/*
** compiler/source.c -- the source of each deployed property (see source.h).
**
** Owns: which text stands for a property: strings by their decoded text,
** templates (and a body file's content) with each {{ }} laid out as fmt
** would (`{{name|upper}}` is `{{ name | upper }}`), expressions and action
** calls as campFmtExpr prints them (one line, comments and the author's
** line breaks dropped).  Durations,
** triggers and kinds are not here: plan reads them from the image.
*/
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "compiler/disasm.h"
#include "compiler/fmt.h"
#include "compiler/resolve.h"
#include "compiler/source.h"
#include "runtime/buf.h"

typedef struct Walk { Unit *u; SourceEmit emit; void *ctx; const char *camp; } Walk;

/* A template's text as fmt would lay out its {{ }}: the text around them
** as written, each expression as campFmtExpr prints it.  text[0..len) is
** what tpl was parsed from. */
static void emitTemplate(Walk *w, const char *act, const char *field, const Ast *tpl, const char *text, uint32_t len) {
  Buf b = { 0 };
  for (const Ast *k = tpl->kids; k; k = k->next) {
    if (k->kind == AST_STR) { campBufPut(&b, k->name, k->nameLen); continue; }
    char *e = campFmtTemplateExpr(tpl, text, len, k);
    campBufPrintf(&b, "{{ %s }}", e);
    free(e);
  }
  if (b.oom) abort();
  w->emit(w->ctx, w->camp, act, field, b.p ? b.p : "", b.n);
  campBufFree(&b);
}

/* A string value's text: a template's as fmt would lay it out (a body
** file's content), else the decoded string. */
static void emitString(Walk *w, const char *act, const char *field, const Ast *s) {
  const Source *files = w->u->diags->src;
  if (s->tpl && s->tpl->file != s->file) {
    w->emit(w->ctx, w->camp, act, "body file", s->name, s->nameLen);
    emitTemplate(w, act, field, s->tpl, files[s->tpl->file].text, files[s->tpl->file].len);
  } else if (s->tpl) {
    emitTemplate(w, act, field, s->tpl, s->name, s->nameLen);
  } else {
    w->emit(w->ctx, w->camp, act, field, s->name, s->nameLen);
  }
}

static void emitExpr(Walk *w, const char *act, const char *field, const Ast *n) {
  char *t = campFmtExpr(w->u, n);
  w->emit(w->ctx, w->camp, act, field, t, strlen(t));
  free(t);
}

static void emitText(Walk *w, const char *act, const char *field, const char *text) {
  w->emit(w->ctx, w->camp, act, field, text, strlen(text));
}

/* A timing property in words: "08:00-20:00 mon-fri", "3 per 7 days",
** "2026-03-20 09:00 local", "by opens after 4 hours"; 0 when p is none. */
static int emitTiming(Walk *w, const char *act, const Ast *p) {
  char text[160], field[32], *d;
  switch (p->op) {
  case PROP_WINDOW: {
    ProgWindow win = { (uint16_t)p->a->v.i, (uint16_t)p->b->v.i, (uint8_t)p->v.i };
    campDisasmWindow(&win, text, sizeof text);
    emitText(w, act, "send between", text);
    return 1;
  }
  case PROP_CAP:
    d = campFmtExpr(w->u, p->kids);
    snprintf(field, sizeof field, "cap %s", p->a->name);
    snprintf(text, sizeof text, "%lld per %s", (long long)p->b->v.i, d);
    free(d);
    emitText(w, act, field, text);
    return 1;
  case PROP_AT:
    if (!p->v.i) return 0;
    d = campFmtExpr(w->u, p->a);
    snprintf(text, sizeof text, "%s local", d);
    free(d);
    emitText(w, act, "at", text);
    return 1;
  case PROP_TEST:
    snprintf(text, sizeof text, "%lld%%", (long long)p->a->v.i);
    emitText(w, act, "test", text);
    for (const Ast *k = p->kids; k; k = k->next) {
      if (k->kind != AST_VARIANT) {           /* winner by METRIC after DURATION: the winner activity's */
        d = campFmtExpr(w->u, k->b);
        snprintf(text, sizeof text, "by %s after %s", k->a->name, d);
        free(d);
        emitText(w, "winner", "winner", text);
        continue;
      }
      for (const Ast *v = k->kids; v; v = v->next) emitString(w, k->name, campAstPropName((PropKind)v->op), v->a);
    }
    return 1;
  default:
    return 0;
  }
}

/* One property of a declaration or activity; expire is the image's. */
static void emitProp(Walk *w, const char *act, const Ast *p) {
  if (!p->a || p->op == PROP_EXPIRE || emitTiming(w, act, p)) return;
  const char *field = campAstPropName((PropKind)p->op);
  if (p->a->kind == AST_STR) emitString(w, act, field, p->a);
  else emitExpr(w, act, field, p->a);
}

/* A split's shares as written: "50%, 30%, 20%". */
static void emitShares(Walk *w, const char *act, const Ast *split) {
  Buf b = { 0 };
  for (const Ast *p = split->kids; p; p = p->next) {
    char *s = campFmtExpr(w->u, p->a);
    campBufPrintf(&b, "%s%s%%", b.n ? ", " : "", s);
    free(s);
  }
  if (b.oom) abort();
  w->emit(w->ctx, w->camp, act, "shares", b.p ? b.p : "", b.n);
  campBufFree(&b);
}

/* An activity's properties and action calls, then its branches' activities. */
static void activity(Walk *w, const Ast *a) {
  char *name = strndup(a->name, a->nameLen), *calls = NULL;
  size_t n = 0;
  if (!name) abort();
  for (const Ast *k = a->kids; k; k = k->next) {
    if (k->kind == AST_PROP) emitProp(w, name, k);
    if (k->kind != AST_CALL) continue;
    char *t = campFmtExpr(w->u, k);
    size_t tl = strlen(t);
    calls = realloc(calls, n + tl + 2);
    if (!calls) abort();
    memcpy(calls + n, t, tl);
    n += tl;
    calls[n++] = '\n';
    calls[n] = 0;
    free(t);
  }
  if (calls) w->emit(w->ctx, w->camp, name, "actions", calls, n);
  if (a->op == ACT_SPLIT) emitShares(w, name, a);
  free(calls);
  free(name);
  for (const Ast *br = a->kids; br; br = br->next)
    if (br->kind == AST_BRANCH || br->kind == AST_PATH)
      for (const Ast *c = br->kids; c; c = c->next) activity(w, c);
}

static int messageProp(int op) { return op == PROP_SUBJECT || op == PROP_BODY || op == PROP_TEXT || op == PROP_FROM; }

static void declaration(Walk *w, const Ast *d) {
  char *name = strndup(d->name, d->nameLen);
  if (!name) abort();
  w->camp = name;
  if (d->a) w->emit(w->ctx, name, "", "title", d->a->name, d->a->nameLen);
  for (const Ast *k = d->kids; k; k = k->next) {
    if (k->kind == AST_PROP) emitProp(w, d->kind == AST_MAILING && messageProp(k->op) ? name : "", k);
    else if (k->kind == AST_ACTIVITY) activity(w, k);
  }
  const Ast *where = d->kind == AST_MAILING && d->b ? campResolveProp(d->b, PROP_WHERE) : NULL;
  if (where && where->a) emitExpr(w, "", "where", where->a);      /* a mailing runs its list's filter */
  free(name);
}

void campSourceEach(Unit *u, SourceEmit emit, void *ctx) {
  Walk w = { u, emit, ctx, NULL };
  for (const Ast *f = u->files; f; f = f->next) {
    if (f->file != u->root) continue;
    for (const Ast *d = f->kids; d; d = d->next)
      if (d->kind == AST_CAMPAIGN || d->kind == AST_MAILING) declaration(&w, d);
  }
}
