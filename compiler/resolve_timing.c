/*
** compiler/resolve_timing.c -- the checks of timing and branching.
**
** Owns: time zones (a literal one through GLib's zone database), send
** windows and their days, frequency caps, priority, cap modes, where each
** may stand; split shares and if conditions; a mailing's A/B test.  Sets
** what codegen reads: a window's day bits (v.i), a split path's basis
** points (v.i), the zone field's index.  Does not own: the rest of resolve
** (resolve.c) or the image's layout (codegen.c).
*/
#include <glib.h>
#include <math.h>
#include <string.h>
#include "compiler/disasm.h"
#include "compiler/resolve_int.h"
#include "runtime/program.h"
#include "parser.h"

/* -- timing: zones, windows, caps, priority --------------------------------- */

/* `timezone "Zone"`: a zone GLib knows (else the runtime falls back). */
static void checkZone(Resolver *r, Ast *z) {
  GTimeZone *tz = z->a->name[0] ? g_time_zone_new_identifier(z->a->name) : NULL;
  if (tz) { g_time_zone_unref(tz); return; }
  campDiagReport(r->d, DIAG_W084, z->a->file, z->a->off, z->a->len,
                 "unknown time zone \"%s\": the database's zone is used instead (write an IANA name such as \"Europe/Paris\")",
                 z->a->name);
}

/* `timezone from FIELD`: a text field of model m. */
static void checkZoneField(Resolver *r, Ast *p, int m) {
  if (m < 0) return;
  Ast *f = p->a;
  int fi = findField(r, m, f->name, NULL);
  if (fi < 0) err(r, DIAG_E083, f, "'timezone from %s': model '%s' has no field '%s'", f->name, r->t.models[m]->name, f->name);
  else if (fieldType(r, m, fi) != TYPE_TEXT)
    err(r, DIAG_E083, f, "'timezone from %s': a zone is text, and '%s' is %s", f->name, f->name, campValueTypeName(fieldType(r, m, fi)));
  else f->index = fi;
}

/* `send between A and B [on DAYS]` (its day bits are the parser's, v.i). */
static void checkWindow(Resolver *r, Ast *w) {
  if (w->a->v.i == w->b->v.i)
    err(r, DIAG_E085, w, "'send between %02d:%02d and %02d:%02d' is an empty window (for all day, leave the window out)",
        (int)(w->a->v.i / 60), (int)(w->a->v.i % 60), (int)(w->b->v.i / 60), (int)(w->b->v.i % 60));
  for (Ast *d = w->kids; d; d = d->next) {
    int from = campAstDayIndex(d->name), to = d->b ? campAstDayIndex(d->b->name) : from;
    Ast *bad = from < 0 ? d : to < 0 ? d->b : NULL;
    if (bad) err(r, DIAG_E085, bad, "unknown day '%s' (mon tue wed thu fri sat sun)", bad->name);
    else if (d->b && from == to) err(r, DIAG_E085, d, "the range '%s-%s' is one day: write '%s'", d->name, d->b->name, d->name);
  }
}

/* `cap CHANNEL N per DURATION`; seen[0] email, seen[1] sms: a second cap on one channel. */
static void checkCap(Resolver *r, Ast *c, Ast **seen) {
  Ast *ch = c->a, *n = c->b, *per = c->kids;
  int k = nameIs(ch, "email") ? 0 : nameIs(ch, "sms") ? 1 : -1;
  if (k < 0) { err(r, DIAG_E086, ch, "'cap %s': a cap counts email or sms messages", ch->name); return; }
  if (seen[k]) {
    err(r, DIAG_E035, c, "'cap %s' given twice", ch->name);
    noteAt(r, seen[k], "first given here");
  }
  seen[k] = c;
  if (n->v.i < 1) err(r, DIAG_E086, n, "'cap %s 0 per ...' sends nothing: at least 1 message", ch->name);
  else if (n->v.i > 1000000) err(r, DIAG_E086, n, "'cap %s %lld' is beyond the limit of 1000000 messages", ch->name, (long long)n->v.i);
  if (per->v.i < 3600) err(r, DIAG_E086, per, "a cap's period is at least 1 hour");
  else checkDuration(r, per, "a cap's period", 0);
}

static void checkPriority(Resolver *r, Ast *p) {
  if (p->a->v.i > 100) err(r, DIAG_E087, p->a, "priority %lld is outside 0 to 100 (the default is %d)", (long long)p->a->v.i, CAMP_PRIORITY_DEFAULT);
}

/* The timing items of a campaign, mailing or activity (what: "campaign",
** "mailing", or an activity's kind); model m for the zone field.  Returns
** 1 when p is one of them. */
int checkTimingProp(Resolver *r, Ast *p, const char *what, int m, Ast **caps) {
  int message = !strcmp(what, "email") || !strcmp(what, "sms");
  int decl = !strcmp(what, "campaign") || !strcmp(what, "mailing");
  switch (p->op) {
  case PROP_TIMEZONE: case PROP_TZFIELD: case PROP_PRIORITY:
    if (!decl) { propNotAllowed(r, p, "an activity (it belongs to its campaign)"); return 1; }
    if (p->op == PROP_TIMEZONE) checkZone(r, p);
    else if (p->op == PROP_TZFIELD) checkZoneField(r, p, m);
    else checkPriority(r, p);
    return 1;
  case PROP_WINDOW:
    if (!decl && !message) {
      err(r, DIAG_E088, p, "'send between' holds messages: an %s sends none (put it on its emails and SMS)", what);
      return 1;
    }
    checkWindow(r, p);
    return 1;
  case PROP_CAP:
    if (strcmp(what, "campaign")) {
      err(r, DIAG_E088, p, "'cap %s N per ...' is a campaign's (or the database's: camp config cap.%s): %s",
          p->a->name, p->a->name, decl ? "a mailing is one message per contact" : "on an activity write 'cap skip' or 'cap exempt'");
      return 1;
    }
    checkCap(r, p, caps);
    return 1;
  case PROP_CAPMODE:
    if (!strcmp(what, "campaign"))
      err(r, DIAG_E088, p, "'cap %s' is for an activity or a mailing: a campaign sets 'cap CHANNEL N per DURATION'", p->a->name);
    else if (!decl && !message)
      err(r, DIAG_E088, p, "'cap %s' is for messages: an %s sends none", p->a->name, what);
    return 1;
  default:
    return 0;
  }
}

/* -- branch nodes ---------------------------------------------------------- */

/* A split's shares: each above 0, at most 2 decimals, at least two paths
** summing to exactly 100%; the basis points land in each path's v.i.  1 when they do. */
static int checkShares(Resolver *r, Ast *split) {
  int64_t sum = 0;
  int n = 0, bad = 0;
  for (Ast *p = split->kids; p; p = p->next, n++) {
    Ast *v = p->a;
    double bp = v->kind == AST_INT ? (double)v->v.i * 100 : v->v.r * 100;
    if (bp <= 0 || bp > 10000 || fabs(bp - llround(bp)) > 1e-6) {
      err(r, DIAG_E089, v, bp <= 0 ? "a path's share must be above 0%%" : bp > 10000 ? "a share above 100%%"
          : "a share is at most two decimals (0.01%%)");
      bad = 1;
      continue;
    }
    p->v.i = llround(bp);
    sum += p->v.i;
  }
  Ast kw = *split;
  kw.len = 5;
  if (n < 2) { err(r, DIAG_E089, &kw, "a split needs at least two paths (an empty one is a holdout group: '50%% { }')"); return 0; }
  if (!bad && sum != 10000) {
    char total[32];
    campDisasmShare((uint32_t)(sum > 99999 ? 99999 : sum), total, sizeof total);
    err(r, DIAG_E089, &kw, "the shares of split '%s' sum to %s, not 100%%", split->name, total);
    return 0;
  }
  return !bad;
}

void checkNode(Resolver *r, Ast *node, Ast *campaign) {
  int acts = 0, fine = node->op == ACT_IF || checkShares(r, node);
  for (Ast *k = node->kids; k; k = k->next) {
    if (k->kind == AST_PROP) checkCondition(r, k->a, "an 'if'");
    else for (Ast *a = k->kids; a; a = a->next, acts++) checkActivity(r, a, node, campaign);
  }
  if (!acts && fine)                          /* a split with bad shares is E089 already */
    campDiagReport(r->d, DIAG_W062, node->file, node->off, node->op == ACT_IF ? 2 : 5,
                   "%s '%s' has no activities on any path: it does nothing", node->op == ACT_IF ? "if" : "split", node->name);
}

/* A mailing's `test N% { variant … winner by … after … }`. */
void checkTest(Resolver *r, Ast *ml, Ast *t) {
  Ast *winner = NULL, kw = *t;
  int nvariant = 0;
  kw.len = 4;
  if (t->a->v.i < 1 || t->a->v.i > 50)
    err(r, DIAG_E090, t->a, "an A/B test goes to 1%% to 50%% of the list (the winner to the rest), not %lld%%", (long long)t->a->v.i);
  for (Ast *k = t->kids; k; k = k->next) {
    if (k->kind == AST_PROP) {             /* winner by METRIC after DURATION */
      if (winner) { err(r, DIAG_E090, k, "a second 'winner' line"); noteAt(r, winner, "first given here"); continue; }
      winner = k;
      if (!nameIs(k->a, "opens") && !nameIs(k->a, "clicks"))
        err(r, DIAG_E090, k->a, "'winner by %s': the winner is chosen by opens or clicks", k->a->name);
      checkDuration(r, k->b, "'winner ... after'", 0);
      continue;
    }
    nvariant++;
    if (nameIs(k, "test") || nameIs(k, "winner") || nameIs(k, ml->name))
      errName(r, DIAG_E090, k, "variant '%s': 'test', 'winner' and the mailing's own name are taken", k->name);
    for (Ast *j = t->kids; j != k; j = j->next)
      if (j->kind == AST_VARIANT && nameIs(j, k->name)) { errName(r, DIAG_E090, k, "a second variant '%s'", k->name); break; }
    if (!k->kids) errName(r, DIAG_E090, k, "variant '%s' changes nothing: give it a subject, body, text or from", k->name);
    onceProps(r, k);
    for (Ast *p = k->kids; p; p = p->next) {
      if (p->op == PROP_BODY) checkBody(r, p->a);
      else if (p->op == PROP_FROM) checkFrom(r, p->a);
      else checkTemplateString(r, p->a);
    }
  }
  if (nvariant < 2) err(r, DIAG_E090, &kw, "an A/B test needs at least two variants, it has %d", nvariant);
  if (!winner) err(r, DIAG_E090, &kw, "an A/B test needs 'winner by opens|clicks after DURATION'");
}


/* A mailing `via` an ESP is sent by the provider, at once or at its `at`:
** camp's own timing (a local time, zones, windows, caps, priority, an A/B
** test) would never apply, so it is refused rather than ignored. */
void checkViaTiming(Resolver *r, Ast *ml) {
  Ast *via = campResolveProp(ml, PROP_VIA);
  if (!via) return;
  for (Ast *k = ml->kids; k; k = k->next) {
    if (k->kind != AST_PROP) continue;
    int timing = k->op == PROP_TIMEZONE || k->op == PROP_TZFIELD || k->op == PROP_WINDOW || k->op == PROP_CAPMODE ||
                 k->op == PROP_PRIORITY || k->op == PROP_TEST || (k->op == PROP_AT && k->v.i);
    if (!timing) continue;
    Ast kw = *k;
    kw.len = k->op == PROP_AT || k->op == PROP_CAPMODE ? k->len : (uint32_t)strlen(campAstPropName(k->op));
    err(r, DIAG_E081, &kw, "'%s%s%s' has no effect on mailing '%s': sent via %s, the provider sends it (drop one or the other)",
        campAstPropName(k->op), k->op == PROP_AT ? " ... local" : k->op == PROP_CAPMODE ? " " : "",
        k->op == PROP_CAPMODE ? k->a->name : "", ml->name, via->v.i == ESP_MAILCHIMP ? "mailchimp" : "dotdigital");
    noteAt(r, via, "sent via the provider here");
  }
}
