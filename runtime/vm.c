/*
** runtime/vm.c -- the bytecode interpreter.
**
** Owns: running one validated code block against one record: the value
** stack, null semantics (SQL-like: a comparison with null is null, and a
** filter that ends in null does not match), text conversion for templates,
** escaping template values for where they land (OP_ESCAPE), and dispatch
** to natives (functions here, actions through the host).
** Does not own: loading or validating code (program.c), the store, or the
** clock (the caller passes now).
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/opcodes.h"
#include "runtime/vm.h"


typedef struct Chunk { struct Chunk *next; size_t used, cap; char data[]; } Chunk;

struct Vm {
  Value stack[CAMP_STACK_MAX];      /* program.c proves no block goes deeper */
  Chunk *scratch;
};

Vm *campVmNew(void) { return calloc(1, sizeof(Vm)); }

static void freeChunks(Chunk *c) {
  while (c) { Chunk *n = c->next; free(c); c = n; }
}

void campVmFree(Vm *vm) {
  if (!vm) return;
  freeChunks(vm->scratch);
  free(vm);
}

char *campVmScratch(Vm *vm, size_t n) {
  Chunk *c = vm->scratch;
  if (!c || c->cap - c->used < n + 1) {
    size_t cap = n + 1 > 16384 ? n + 1 : 16384;
    Chunk *nc = malloc(sizeof *nc + cap);
    if (!nc) return NULL;
    nc->next = c; nc->used = 0; nc->cap = cap;
    vm->scratch = c = nc;
  }
  char *p = c->data + c->used;
  c->used += n + 1;
  return p;
}

/* Keep the newest chunk for the next run, free the rest. */
static void resetScratch(Vm *vm) {
  if (!vm->scratch) return;
  freeChunks(vm->scratch->next);
  vm->scratch->next = NULL;
  vm->scratch->used = 0;
}

static int setText(Vm *vm, Value *out, const char *s, size_t n) {
  char *p = campVmScratch(vm, n);
  if (!p) return -1;
  memcpy(p, s, n);
  p[n] = 0;
  out->tag = VAL_TEXT; out->len = (uint32_t)n; out->u.s = p;
  return 0;
}

int campVmToText(Vm *vm, const Value *v, Value *out) {
  char buf[64];
  switch (v->tag) {
  case VAL_TEXT: *out = *v; return 0;
  case VAL_NULL: out->tag = VAL_TEXT; out->len = 0; out->u.s = ""; return 0;
  case VAL_BOOL: return setText(vm, out, v->u.i ? "true" : "false", v->u.i ? 4 : 5);
  case VAL_INT: return setText(vm, out, buf, (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v->u.i));
  case VAL_REAL: return setText(vm, out, buf, (size_t)snprintf(buf, sizeof buf, "%.15g", v->u.r));
  case VAL_TIME: campClockFormat(v->u.i, buf); return setText(vm, out, buf, strlen(buf));
  case VAL_DURATION: {      /* "1 day", "1 hour 30 minutes": the words camp prints durations in */
    char d[CAMP_CLOCK_DURATION_SIZE];
    campClockFormatDuration(v->u.i, d);
    return setText(vm, out, d, strlen(d));
  }
  case VAL_LIST: {
    size_t cap = 2;
    Value parts[64];
    uint32_t n = v->len < 64 ? v->len : 64;
    for (uint32_t i = 0; i < n; i++) { if (campVmToText(vm, &v->u.items[i], &parts[i]) < 0) return -1; cap += parts[i].len + 2; }
    char *p = campVmScratch(vm, cap), *o = p;
    if (!p) return -1;
    for (uint32_t i = 0; i < n; i++) { if (i) { *o++ = ','; *o++ = ' '; } memcpy(o, parts[i].u.s, parts[i].len); o += parts[i].len; }
    *o = 0;
    out->tag = VAL_TEXT; out->len = (uint32_t)(o - p); out->u.s = p;
    return 0;
  }
  }
  return -1;
}

static int isNull(const Value *v) { return v->tag == VAL_NULL; }
static int truthy(const Value *v) { return v->tag == VAL_BOOL && v->u.i; }
static int isNum(const Value *v) { return v->tag == VAL_INT || v->tag == VAL_REAL; }
static double num(const Value *v) { return v->tag == VAL_REAL ? v->u.r : (double)v->u.i; }

/* Three-way compare of two non-null values of comparable kinds; 2 when
** they cannot be compared. */
static int compare(const Value *a, const Value *b) {
  if (isNum(a) && isNum(b)) {
    if (a->tag == VAL_INT && b->tag == VAL_INT) return (a->u.i > b->u.i) - (a->u.i < b->u.i);
    double x = num(a), y = num(b);
    return (x > y) - (x < y);
  }
  if (a->tag != b->tag) return 2;
  if (a->tag == VAL_TEXT) {
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->u.s, b->u.s, n);
    if (c) return c < 0 ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
  }
  return (a->u.i > b->u.i) - (a->u.i < b->u.i);
}

static Value boolean(int b) { Value v = { .tag = VAL_BOOL }; v.u.i = b != 0; return v; }
static Value null(void) { Value v = { 0 }; return v; }

/* Is tag (text) one of the comma-separated tags? Case-insensitive, trimmed. */
static int hasTag(const Value *tags, const Value *tag) {
  const char *s = tags->u.s, *end = s + tags->len;
  while (s < end) {
    const char *e = memchr(s, ',', (size_t)(end - s));
    if (!e) e = end;
    const char *a = s, *b = e;
    while (a < b && isspace((unsigned char)*a)) a++;
    while (b > a && isspace((unsigned char)b[-1])) b--;
    if ((uint32_t)(b - a) == tag->len && !strncasecmp(a, tag->u.s, tag->len)) return 1;
    s = e + 1;
  }
  return 0;
}

/* SQL LIKE: % any run, _ one byte, ASCII case-insensitive.  Greedy with
** one backtrack point (the last %): a mismatch retries that % one byte
** further on, so a match costs at most len(s) * len(p) steps whatever the
** input (a hit's URL comes from the web). */
static int like(const char *s, const char *se, const char *p, const char *pe) {
  const char *star = NULL, *mark = NULL;
  while (s < se) {
    if (p < pe && *p == '%') { star = ++p; mark = s; continue; }
    if (p < pe && (*p == '_' || tolower((unsigned char)*p) == tolower((unsigned char)*s))) { p++; s++; continue; }
    if (!star) return 0;
    p = star;
    s = ++mark;
  }
  while (p < pe && *p == '%') p++;
  return p == pe;
}

int campVmLike(const char *s, size_t sLen, const char *pattern, size_t patternLen) {
  return like(s, s + sLen, pattern, pattern + patternLen);
}

/* -- escaping template values (OP_ESCAPE) --------------------------------- */

const char *campVmEscapeOf(int mode, unsigned char c) {
  if (c == (unsigned char)CAMP_VALUE_OPEN || c == (unsigned char)CAMP_VALUE_CLOSE) return "\xef\xbf\xbd";   /* U+FFFD */
  if (mode == ESC_MARK) return NULL;
  switch (c) {
  case '&': return "&amp;";
  case '<': return "&lt;";
  case '>': return "&gt;";
  case '"': return "&quot;";
  case '\'': return "&#39;";
  }
  if (mode == ESC_HTML) return NULL;
  switch (c) {
  case ' ': return "&#32;";
  case '\t': return "&#9;";
  case '\n': return "&#10;";
  case '\r': return "&#13;";
  case '\f': return "&#12;";
  case '=': return "&#61;";
  case '`': return "&#96;";
  }
  return NULL;
}

/* A link target a value may give: http://, https:// or mailto:, after the
** white space and control characters a browser skips. */
static int safeUrl(const char *s, size_t n) {
  while (n && (unsigned char)*s <= 0x20) { s++; n--; }
  return (n > 7 && !strncasecmp(s, "http://", 7)) || (n > 8 && !strncasecmp(s, "https://", 8)) ||
         (n > 7 && !strncasecmp(s, "mailto:", 7));
}

/* *v as text escaped for mode, between the value marks, in scratch. */
static int escapeValue(Vm *vm, int mode, Value *v) {
  Value t;
  if (campVmToText(vm, v, &t) < 0) return -1;
  if (mode == ESC_URL && !safeUrl(t.u.s, t.len)) { t.u.s = "#"; t.len = 1; }
  size_t n = 2;
  for (uint32_t i = 0; i < t.len; i++) {
    const char *e = campVmEscapeOf(mode, (unsigned char)t.u.s[i]);
    n += e ? strlen(e) : 1;
  }
  if (n > UINT32_MAX) return -1;
  char *p = campVmScratch(vm, n), *o = p;
  if (!p) return -1;
  *o++ = CAMP_VALUE_OPEN;
  for (uint32_t i = 0; i < t.len; i++) {
    const char *e = campVmEscapeOf(mode, (unsigned char)t.u.s[i]);
    if (!e) { *o++ = t.u.s[i]; continue; }
    size_t k = strlen(e);
    memcpy(o, e, k);
    o += k;
  }
  *o++ = CAMP_VALUE_CLOSE;
  *o = 0;
  v->tag = VAL_TEXT; v->len = (uint32_t)n; v->u.s = p;
  return 0;
}

static uint32_t lineAt(const Program *p, uint32_t pc, uint32_t fallback) {
  uint32_t line = fallback;
  for (uint32_t i = 0; i < p->nline && p->lines[i].pc <= pc; i++) line = p->lines[i].line;
  return line;
}

static uint32_t rd32(const uint8_t *x) {
  return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
}

int campVmRun(Vm *vm, const Program *p, uint32_t code, const VmRecord *rec, int64_t now,
              VmHost *host, Value *out, char *err, size_t errSize) {
  const ProgCode *blk = &p->code[code];
  const uint8_t *bc = p->bc + blk->start;
  Value *sp = vm->stack;
  uint32_t pc = 0;
  const char *why = NULL;
  char whyBuf[200];
  NativeCtx nctx = { now, host, vm, rec && rec->nfield && rec->fields[0].tag == VAL_INT ? rec->fields[0].u.i : -1,
                     rec && rec->model < p->nmodel ? p->str[p->models[rec->model].name] : NULL };
  resetScratch(vm);
  for (;;) {
    uint32_t at = pc;
    uint8_t o = bc[pc++];
    switch (o) {
    case OP_CONST: *sp++ = p->consts[rd32(bc + pc)]; pc += 4; break;
    case OP_FIELD: {
      uint32_t f = rd32(bc + pc);
      pc += 4;
      *sp++ = rec && rec->model == blk->model && f < rec->nfield ? rec->fields[f] : null();
      break;
    }
    case OP_NOW: { Value v = { .tag = VAL_TIME }; v.u.i = now; *sp++ = v; break; }
    case OP_NULL: *sp++ = null(); break;
    case OP_POP: sp--; break;
    case OP_EQ: case OP_NE: {
      Value *a = sp - 2, *b = sp - 1;
      int eq;
      if (isNull(a) || isNull(b)) eq = isNull(a) && isNull(b);
      else { int c = compare(a, b); eq = c == 0; }
      sp--;
      *a = boolean(o == OP_EQ ? eq : !eq);
      break;
    }
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
      Value *a = sp - 2, *b = sp - 1;
      sp--;
      if (isNull(a) || isNull(b)) { *a = null(); break; }
      int c = compare(a, b);
      if (c == 2) { *a = null(); break; }
      *a = boolean(o == OP_LT ? c < 0 : o == OP_LE ? c <= 0 : o == OP_GT ? c > 0 : c >= 0);
      break;
    }
    case OP_NOT: if (!isNull(sp - 1)) sp[-1] = boolean(!truthy(sp - 1)); break;
    case OP_NEG:
      if (sp[-1].tag == VAL_REAL) sp[-1].u.r = -sp[-1].u.r;
      else if (sp[-1].tag == VAL_INT || sp[-1].tag == VAL_DURATION) {
        if (sp[-1].u.i == INT64_MIN) { why = "integer overflow in '-'"; goto fail; }
        sp[-1].u.i = -sp[-1].u.i;
      }
      break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: {
      Value *a = sp - 2, *b = sp - 1;
      sp--;
      if (isNull(a) || isNull(b)) { *a = null(); break; }
      if (isNum(a) && isNum(b) && (a->tag == VAL_REAL || b->tag == VAL_REAL || o == OP_DIV)) {
        double x = num(a), y = num(b);
        if (o == OP_DIV && y == 0) { *a = null(); break; }
        a->tag = VAL_REAL;
        a->u.r = o == OP_ADD ? x + y : o == OP_SUB ? x - y : o == OP_MUL ? x * y : x / y;
        break;
      }
      int64_t r;
      int ovf = o == OP_ADD ? __builtin_add_overflow(a->u.i, b->u.i, &r)
              : o == OP_SUB ? __builtin_sub_overflow(a->u.i, b->u.i, &r)
              : __builtin_mul_overflow(a->u.i, b->u.i, &r);
      if (ovf) { why = "integer overflow"; goto fail; }
      if (a->tag == VAL_TIME && b->tag == VAL_TIME) a->tag = VAL_DURATION;
      else if (b->tag == VAL_TIME) a->tag = VAL_TIME;
      a->u.i = r;
      break;
    }
    case OP_IDIV: case OP_MOD: {
      Value *a = sp - 2, *b = sp - 1;
      sp--;
      if (a->tag != VAL_INT || b->tag != VAL_INT || b->u.i == 0) { *a = null(); break; }
      if (b->u.i == -1) {                        /* INT64_MIN % -1 and / -1 trap in C */
        if (o == OP_IDIV && a->u.i == INT64_MIN) { why = "integer overflow in 'div'"; goto fail; }
        a->u.i = o == OP_IDIV ? -a->u.i : 0;
        break;
      }
      int64_t q = a->u.i / b->u.i, m = a->u.i % b->u.i;
      if (m != 0 && (m < 0) != (b->u.i < 0)) { q--; m += b->u.i; }   /* floored, like Python */
      a->u.i = o == OP_IDIV ? q : m;
      break;
    }
    case OP_IN: {
      Value *a = sp - 2, *b = sp - 1;
      sp--;
      if (isNull(a) || isNull(b)) { *a = boolean(0); break; }     /* nothing is in nothing */
      int found = 0;
      if (b->tag == VAL_LIST) {
        for (uint32_t i = 0; i < b->len && !found; i++) found = compare(a, &b->u.items[i]) == 0;
      } else if (b->tag == VAL_TEXT && a->tag == VAL_TEXT) {
        found = hasTag(b, a);
      }
      *a = boolean(found);
      break;
    }
    case OP_LIKE: {
      Value *a = sp - 2, *b = sp - 1;
      sp--;
      if (a->tag != VAL_TEXT || b->tag != VAL_TEXT) { *a = null(); break; }
      *a = boolean(like(a->u.s, a->u.s + a->len, b->u.s, b->u.s + b->len));
      break;
    }
    case OP_ISSET: {
      Value *a = sp - 1;
      *a = boolean(!(isNull(a) || (a->tag == VAL_TEXT && a->len == 0)));
      break;
    }
    case OP_JUMP: pc = rd32(bc + pc); break;
    case OP_JFALSE: sp--; pc = truthy(sp) ? pc + 4 : rd32(bc + pc); break;
    case OP_ANDJ:
      /* false or null: the and is decided (null and x is not worth the
      ** SQL nuance in a filter: both mean "does not match") */
      if (!truthy(sp - 1)) { pc = rd32(bc + pc); break; }
      sp--; pc += 4;
      break;
    case OP_ORJ:
      if (truthy(sp - 1)) { pc = rd32(bc + pc); break; }
      sp--; pc += 4;
      break;
    case OP_CALL: case OP_ACTION: {
      int nat = bc[pc] | bc[pc + 1] << 8, argc = bc[pc + 2];
      pc += 3;
      sp -= argc;
      if (o == OP_ACTION) {
        if (!host || !host->action) { why = "no host to run actions"; goto fail; }
        char aerr[160] = "";
        if (host->action(host, nat, sp, argc, aerr, sizeof aerr) < 0) {
          snprintf(whyBuf, sizeof whyBuf, "%s(): %s", campNatives[nat].name, aerr);
          why = whyBuf;
          goto fail;
        }
        break;
      }
      Value r = null();
      if (campNativeFns[nat](&nctx, sp, argc, &r) < 0) { why = "out of memory"; goto fail; }
      *sp++ = r;
      break;
    }
    case OP_CONCAT: {
      int n = bc[pc] | bc[pc + 1] << 8;
      pc += 2;
      sp -= n;
      size_t total = 0;
      for (int i = 0; i < n; i++) {
        if (campVmToText(vm, &sp[i], &sp[i]) < 0) { why = "out of memory"; goto fail; }
        total += sp[i].len;
      }
      char *s = campVmScratch(vm, total), *q = s;
      if (!s) { why = "out of memory"; goto fail; }
      for (int i = 0; i < n; i++) { memcpy(q, sp[i].u.s, sp[i].len); q += sp[i].len; }
      *q = 0;
      sp->tag = VAL_TEXT; sp->len = (uint32_t)total; sp->u.s = s;
      sp++;
      break;
    }
    case OP_ESCAPE: {
      int mode = bc[pc] | bc[pc + 1] << 8;
      pc += 2;
      if (mode >= ESC_COUNT_) { why = "bad escape mode"; goto fail; }
      if (escapeValue(vm, mode, &sp[-1]) < 0) { why = "out of memory"; goto fail; }
      break;
    }
    case OP_RET:
      *out = sp[-1];
      return 0;
    default:
      why = "bad opcode";
      goto fail;
    }
    (void)at;
    continue;
  fail:
    snprintf(err, errSize, "%s:%u: %s", p->str[blk->file], lineAt(p, blk->start + at, blk->line), why);
    return -1;
  }
}

int campVmFilter(Vm *vm, const Program *p, uint32_t code, const VmRecord *rec, int64_t now,
                 VmHost *host, char *err, size_t errSize) {
  Value v;
  if (code == CAMP_NONE) return 1;
  if (campVmRun(vm, p, code, rec, now, host, &v, err, errSize) < 0) return -1;
  return truthy(&v);
}
