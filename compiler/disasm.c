/*
** compiler/disasm.c -- the bytecode listing: a product and the golden-test
** format.
**
** Owns: printing a loaded Program as stable, diff-friendly text: tables by
** name, durations as 2h / 3d, constants by value, jumps as addresses,
** natives by name, the source line where it changes.  Nothing depends on
** pointers or memory order.  Does not own: validation (program.c).
*/
#include <stdio.h>
#include <string.h>
#include "compiler/ast.h"
#include "compiler/disasm.h"
#include "runtime/clock.h"
#include "runtime/opcodes.h"

void campDisasmDuration(int64_t s, char *buf, size_t n) {
  if (s % 604800 == 0 && s) snprintf(buf, n, "%lldw", (long long)(s / 604800));
  else if (s % 86400 == 0 && s) snprintf(buf, n, "%lldd", (long long)(s / 86400));
  else if (s % 3600 == 0 && s) snprintf(buf, n, "%lldh", (long long)(s / 3600));
  else if (s % 60 == 0 && s) snprintf(buf, n, "%lldm", (long long)(s / 60));
  else if (s == 0) snprintf(buf, n, "0");
  else snprintf(buf, n, "%llds", (long long)s);
}

static void duration(int64_t s, FILE *out) {
  char buf[32];
  campDisasmDuration(s, buf, sizeof buf);
  fputs(buf, out);
}

static void quoted(const char *s, uint32_t n, FILE *out) {
  fputc('"', out);
  uint32_t shown = n > 60 ? 57 : n;
  campAstEscape(s, shown, out);
  fputs(n > shown ? "...\"" : "\"", out);
  if (n > shown) fprintf(out, " (%u bytes)", n);
}

static void value(const Value *v, FILE *out) {
  switch (v->tag) {
  case VAL_NULL: fputs("null", out); break;
  case VAL_BOOL: fputs(v->u.i ? "true" : "false", out); break;
  case VAL_INT: fprintf(out, "%lld", (long long)v->u.i); break;
  case VAL_REAL: fprintf(out, "%.17g", v->u.r); break;
  case VAL_TEXT: quoted(v->u.s, v->len, out); break;
  case VAL_TIME: { char iso[CAMP_CLOCK_ISO_SIZE]; campClockFormat(v->u.i, iso); fputs(iso, out); break; }
  case VAL_DURATION: duration(v->u.i, out); break;
  case VAL_LIST:
    fputc('[', out);
    for (uint32_t i = 0; i < v->len; i++) { if (i) fputs(", ", out); value(&v->u.items[i], out); }
    fputc(']', out);
    break;
  }
}

static const char *name(const Program *p, uint32_t s) { return s < p->nstr ? p->str[s] : "?"; }

static void block(const Program *p, const char *label, uint32_t b, FILE *out) {
  if (b == CAMP_NONE) return;
  fprintf(out, "    %-8s block %u\n", label, b);
}

void campDisasmShare(uint32_t bp, char *buf, size_t n) {
  if (bp % 100 == 0) snprintf(buf, n, "%u%%", bp / 100);
  else if (bp % 10 == 0) snprintf(buf, n, "%u.%u%%", bp / 100, bp / 10 % 10);
  else snprintf(buf, n, "%u.%02u%%", bp / 100, bp % 100);
}

void campDisasmWindow(const ProgWindow *w, char *buf, size_t n) {
  static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
  size_t len = (size_t)snprintf(buf, n, "%02u:%02u-%02u:%02u", w->from / 60, w->from % 60, w->to / 60, w->to % 60);
  if (w->days == 127) return;
  for (int d = 0, first = 1; d < 7 && len < n; d++) {
    if (!(w->days & 1 << d)) continue;
    int e = d;
    while (e + 1 < 7 && w->days & 1 << (e + 1)) e++;
    len += (size_t)snprintf(buf + len, n - len, e > d ? "%s%s-%s" : "%s%s", first ? " " : ",", days[d], days[e]);
    first = 0;
    d = e;
  }
}

void campDisasmDelay(const ProgActivity *a, char *buf, size_t n) {
  size_t len = 0;
  buf[0] = 0;
  if (a->delayMonths) len += (size_t)snprintf(buf + len, n - len, "%dmo", a->delayMonths);
  if (a->delayDays && len < n)
    len += (size_t)snprintf(buf + len, n - len, a->delayDays % 7 ? "%s%dd" : "%s%dw", len ? " " : "",
                            a->delayDays % 7 ? a->delayDays : a->delayDays / 7);
  if ((a->delay || !len) && len < n) {
    char d[32];
    campDisasmDuration(a->delay, d, sizeof d);
    snprintf(buf + len, n - len, "%s%s", len ? " " : "", d);
  }
}

/* A campaign's (or mailing's) zone, window, caps and priority. */
static void campaignTiming(const Program *p, const ProgCampaign *c, FILE *out) {
  char buf[64];
  if (c->tz != CAMP_NONE) fprintf(out, "    timezone \"%s\"\n", name(p, c->tz));
  if (c->tzField != CAMP_NONE) fprintf(out, "    timezone from %s\n", name(p, p->models[c->model].fields[c->tzField].name));
  if (c->win.days) { campDisasmWindow(&c->win, buf, sizeof buf); fprintf(out, "    window   %s\n", buf); }
  for (int k = 0; k < 2; k++) {
    if (!c->cap[k].n) continue;
    campDisasmDuration(c->cap[k].period, buf, sizeof buf);
    fprintf(out, "    cap      %s %u per %s\n", k ? "sms" : "email", c->cap[k].n, buf);
  }
  if (c->priority != CAMP_PRIORITY_DEFAULT) fprintf(out, "    priority %u\n", c->priority);
}

static void activity(const Program *p, uint32_t a, FILE *out) {
  static const char *const capModes[] = { "wait", "skip", "exempt" };
  const ProgActivity *x = &p->acts[a];
  char buf[64];
  fprintf(out, "  activity %u %s %s line %u\n    trigger  %s", a, campAstActKindName(x->kind), name(p, x->name),
          x->line, campAstTriggerName(x->trigger));
  if (x->parent != CAMP_NONE) fprintf(out, " of %s", name(p, p->acts[x->parent].name));
  if (x->path != CAMP_NONE) {
    const ProgActivity *b = &p->acts[x->parent];
    if (b->kind == ACT_IF) fprintf(out, " path %s", x->path ? "else" : "then");
    else { campDisasmShare(p->shares[b->share0 + x->path], buf, sizeof buf); fprintf(out, " path %u (%s)", x->path, buf); }
  }
  if (x->match != MATCH_ANY) fprintf(out, " %s \"%s\"", x->match == MATCH_URL ? "where url like" : "event", name(p, x->pattern));
  campDisasmDelay(x, buf, sizeof buf);
  fprintf(out, "\n    delay    %s", buf);
  if (x->atMinute != CAMP_NO_TIME) fprintf(out, "\n    at       %02u:%02u", x->atMinute / 60, x->atMinute % 60);
  if (x->window) { fputs("\n    within   ", out); duration(x->window, out); }
  if (x->expire) { fputs("\n    expire   ", out); duration(x->expire, out); }
  if (x->win.days) { campDisasmWindow(&x->win, buf, sizeof buf); fprintf(out, "\n    window   %s", buf); }
  if (x->capMode) fprintf(out, "\n    cap      %s", capModes[x->capMode <= CAP_EXEMPT ? x->capMode : 0]);
  if (x->nshare) {
    fputs("\n    shares  ", out);
    for (uint32_t k = 0; k < x->nshare; k++) { campDisasmShare(p->shares[x->share0 + k], buf, sizeof buf); fprintf(out, " %s", buf); }
  }
  if (x->abMetric) fprintf(out, "\n    winner   by %s", x->abMetric == AB_CLICKS ? "clicks" : "opens");
  fputc('\n', out);
  block(p, "filter", x->filter, out);
  block(p, "subject", x->subject, out);
  block(p, "body", x->body, out);
  block(p, "text", x->text, out);
  block(p, "from", x->from, out);
  block(p, "actions", x->actions, out);
}

static void code(const Program *p, uint32_t b, FILE *out) {
  static const char *const kinds[] = { "?", "filter", "template", "actions" };
  const ProgCode *c = &p->code[b];
  const uint8_t *bc = p->bc + c->start;
  fprintf(out, "\nblock %u %s (model %s) %s:%u\n", b, kinds[c->kind], name(p, p->models[c->model].name), name(p, c->file), c->line);
  uint32_t li = 0, line = 0;
  for (uint32_t pc = 0; pc < c->len;) {
    uint32_t abs = c->start + pc, now = line;
    while (li < p->nline && p->lines[li].pc <= abs) now = p->lines[li++].line;
    uint8_t o = bc[pc];
    const uint8_t *x = bc + pc + 1;
    uint32_t arg = (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
    fprintf(out, campOpcodes[o].operand ? "  %04u  %-7s" : "  %04u  %s", pc, campOpcodes[o].name);
    switch (campOpcodes[o].operand) {
    case OPND_U32:
      if (o == OP_CONST) { fprintf(out, "  "); value(&p->consts[arg], out); }
      else fprintf(out, "  %s", name(p, p->models[c->model].fields[arg].name));
      break;
    case OPND_ADDR: fprintf(out, "  -> %04u", arg); break;
    case OPND_NATIVE: fprintf(out, "  %s/%u", campNatives[x[0] | x[1] << 8].name, x[2]); break;
    case OPND_COUNT: {
      static const char *const esc[] = { "mark", "html", "attr", "url" };     /* runtime/opcodes.h ESC_* */
      unsigned n = x[0] | x[1] << 8;
      if (o == OP_ESCAPE && n < sizeof esc / sizeof esc[0]) fprintf(out, "  %s", esc[n]);
      else fprintf(out, "  %u", n);
      break;
    }
    default: break;
    }
    pc += campOpcodes[o].len;
    if (now != line) { fprintf(out, "%s; line %u", campOpcodes[o].operand ? " " : "", now); line = now; }
    fputc('\n', out);
  }
}

void campDisasm(const Program *p, FILE *out) {
  char hex[65];
  campProgramHashHex(p, hex);
  fprintf(out, "camp image version %u\nhash %s\n", CAMP_IMAGE_VERSION, hex);
  for (uint32_t i = 0; i < p->nmodel; i++) {
    const ProgModel *m = &p->models[i];
    fprintf(out, "\nmodel %u %s\n", i, name(p, m->name));
    for (uint32_t f = 0; f < m->nfield; f++)
      fprintf(out, "  field %u %s %s\n", f, name(p, m->fields[f].name), campValueTypeName(m->fields[f].type));
    if (m->optOut != CAMP_NONE) fprintf(out, "  optout %s\n", name(p, m->fields[m->optOut].name));
  }
  for (uint32_t i = 0; i < p->nlist; i++) {
    const ProgList *l = &p->lists[i];
    static const char *const kinds[] = { "?", "dynamic", "on_demand", "manual" };
    fprintf(out, "\nlist %u %s \"%s\" model %s line %u\n", i, name(p, l->name), name(p, l->title),
            name(p, p->models[l->model].name), l->line);
    fprintf(out, "    kind     %s%s\n", kinds[l->kind <= LIST_MANUAL ? l->kind : 0], l->keep ? " keep_contacted" : "");
    if (l->contact != CAMP_NONE) fprintf(out, "    contact  %s\n", name(p, p->models[l->model].fields[l->contact].name));
    if (l->where != CAMP_NONE) fprintf(out, "    where    %s\n", name(p, l->where));
    block(p, "filter", l->filter, out);
  }
  for (uint32_t i = 0; i < p->ninit; i++) {
    static const char *const scales[] = { "?", "hour", "day", "month" };
    const ProgInitiative *n = &p->inits[i];
    fprintf(out, "\ninitiative %u %s \"%s\" code \"%s\" line %u\n", i, name(p, n->name), name(p, n->title),
            name(p, n->code), n->line);
    Value t = { .tag = VAL_TIME };
    if (n->start) { t.u.i = n->start; fputs("    start    ", out); value(&t, out); fputc('\n', out); }
    if (n->end) { t.u.i = n->end; fputs("    end      ", out); value(&t, out); fputc('\n', out); }
    if (n->budget >= 0)
      fprintf(out, "    budget   %lld.%02lld %s\n", (long long)(n->budget / 100), (long long)(n->budget % 100), name(p, n->currency));
    if (n->description != CAMP_NONE) fprintf(out, "    description \"%s\"\n", name(p, n->description));
    fprintf(out, "    scale    %s\n", scales[n->scale <= SCALE_MONTH ? n->scale : 0]);
  }
  for (uint32_t i = 0; i < p->nsite; i++) {
    const ProgWebsite *w = &p->sites[i];
    fprintf(out, "\nwebsite %u %s \"%s\" site_id \"%s\" line %u\n    url      \"%s\"\n", i, name(p, w->name), name(p, w->title),
            name(p, w->siteId), w->line, name(p, w->url));
    if (w->model != CAMP_NONE) fprintf(out, "    target   %s\n", name(p, p->models[w->model].name));
    if (w->identify != CAMP_NONE) fprintf(out, "    identify %s\n", name(p, p->models[w->model].fields[w->identify].name));
    if (w->initiative != CAMP_NONE) fprintf(out, "    initiative %s\n", name(p, p->inits[w->initiative].name));
    if (w->code != CAMP_NONE) fprintf(out, "    code     \"%s\"\n", name(p, w->code));
    fprintf(out, "    link_token %s\n", w->linkToken ? "true" : "false");
    for (uint32_t g = 0; g < w->ngoal; g++) fprintf(out, "    goal     \"%s\"\n", name(p, p->goals[w->goal0 + g]));
  }
  for (uint32_t i = 0; i < p->nsync; i++) {
    const ProgSync *y = &p->syncs[i];
    fprintf(out, "\nsync %u %s \"%s\" list %s line %u\n    %s%s \"%s\"\n", i, name(p, y->name), name(p, y->title),
            name(p, p->lists[y->list].name), y->line, y->esp == ESP_MAILCHIMP ? "mailchimp audience" : "dotdigital address_book",
            y->esp == ESP_MAILCHIMP ? "" : "", name(p, y->remote));
    if (y->segment != CAMP_NONE) fprintf(out, "    segment  \"%s\"\n", name(p, y->segment));
    if (y->every) { fputs("    every    ", out); duration(y->every, out); fputc('\n', out); }
    for (uint32_t f = y->field0; f < y->field0 + y->nfield; f++) {
      const ProgSyncField *x = &p->sfields[f];
      if (x->field != CAMP_NONE)
        fprintf(out, "    field    %s = %s\n", name(p, x->tag), name(p, p->models[p->lists[y->list].model].fields[x->field].name));
      else fprintf(out, "    field    %s = block %u\n", name(p, x->tag), x->value);
    }
  }
  for (uint32_t i = 0; i < p->ncamp; i++) {
    const ProgCampaign *c = &p->camps[i];
    if (c->isMailing) continue;                 /* listed as mailings below */
    fprintf(out, "\ncampaign %u %s \"%s\" model %s line %u\n", i, name(p, c->name), name(p, c->title),
            name(p, p->models[c->model].name), c->line);
    if (c->list != CAMP_NONE) fprintf(out, "    list     %s\n", name(p, p->lists[c->list].name));
    if (c->initiative != CAMP_NONE) fprintf(out, "    initiative %s\n", name(p, p->inits[c->initiative].name));
    if (c->code != CAMP_NONE) fprintf(out, "    code     \"%s\"\n", name(p, c->code));
    if (c->unique != CAMP_NONE) fprintf(out, "    unique   %s\n", name(p, p->models[c->model].fields[c->unique].name));
    campaignTiming(p, c, out);
    block(p, "filter", c->filter, out);
    for (uint32_t a = c->firstAct; a < c->firstAct + c->nact; a++) activity(p, a, out);
  }
  for (uint32_t i = 0, n = 0; i < p->ncamp; i++) {         /* a mailing: a campaign with one email */
    const ProgCampaign *m = &p->camps[i];
    if (!m->isMailing) continue;
    const ProgActivity *x = &p->acts[m->firstAct];
    fprintf(out, "\nmailing %u %s \"%s\" list %s line %u\n", n++, name(p, m->name), name(p, m->title),
            name(p, p->lists[m->list].name), m->line);
    fprintf(out, "    campaign %u activity %u\n", i, m->firstAct);
    if (m->unique != CAMP_NONE) fprintf(out, "    unique   %s\n", name(p, p->models[m->model].fields[m->unique].name));
    if (m->initiative != CAMP_NONE) fprintf(out, "    initiative %s\n", name(p, p->inits[m->initiative].name));
    if (m->at == CAMP_AT_MANUAL) fputs("    at       manual (camp send)\n", out);
    else if (m->at) {
      Value t = { .tag = VAL_TIME };
      t.u.i = m->at;
      fputs("    at       ", out);
      if (m->atLocal) { char iso[CAMP_CLOCK_ISO_SIZE]; campClockFormat(m->at, iso); fprintf(out, "%.19s local", iso); }
      else value(&t, out);
      fputc('\n', out);
    }
    if (m->via != CAMP_NONE) fprintf(out, "    via      %s\n", name(p, p->syncs[m->via].name));
    campaignTiming(p, m, out);
    if (x->capMode) fprintf(out, "    cap      %s\n", x->capMode == CAP_SKIP ? "skip" : "exempt");
    if (m->nact > 1) {                                     /* an A/B test: its split, variants and winner */
      for (uint32_t a = m->firstAct; a < m->firstAct + m->nact; a++) activity(p, a, out);
      continue;
    }
    block(p, "subject", x->subject, out);
    block(p, "body", x->body, out);
    block(p, "text", x->text, out);
    block(p, "from", x->from, out);
  }
  for (uint32_t b = 0; b < p->ncode; b++) code(p, b, out);
}
