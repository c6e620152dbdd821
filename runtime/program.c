/*
** runtime/program.c -- the bytecode image: save, load, validate.
**
** Owns: the serialised form (little-endian, one section per table, a
** SHA-256 of the body in the header) and proving, before anything runs,
** that a loaded image is whole and self-consistent: every index in range,
** every instruction decodable, every jump on an instruction boundary of its
** block, the stack never under- or overflowing, every block ending in RET.
** Does not own: building a Program (compiler/codegen.c) or running it (vm.c).
**
** Layout:  magic[8] version:u32 hash[32] bodyLen:u32  body
** body:    strings consts models campaigns activities lists code bytecode
**          lines   (each a u32 count then its records)
** A model is name, fields, then (version 2 on) its opt-out field index;
** a version 1 image loads as one whose models declare none.  A campaign
** ends (version 3 on) with isMailing:u8 list:u32 at:i64: the compiler
** lowers each mailing to the campaign the runtime runs (campaigns first,
** then the mailings in source order; their activities likewise).
**
** Images before version 3 held a mailings table after the lists instead,
** which the runtime lowered on every load.  Those images are stored in
** users' databases (camp_version), so the loader upgrades them once, as it
** reads them: it lowers their mailings with the compiler's own function
** (campProgramLowerMailing) into the indexes the compiler now gives them.
** One lowering, one Program shape: nothing after the loader knows the
** version.  An upgraded Program keeps the hash of the bytes it came from.
*/
#include <errno.h>
#include <stdarg.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/opcodes.h"
#include "runtime/program.h"

#define HEADER_LEN (8 + 4 + 32 + 4)

/* -- writing -------------------------------------------------------------- */

static void putU8(Buf *b, uint8_t v) { campBufPut(b, &v, 1); }
static void putU32(Buf *b, uint32_t v) {
  uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
  campBufPut(b, x, 4);
}
static void putI64(Buf *b, int64_t v) {
  putU32(b, (uint32_t)((uint64_t)v & 0xffffffffu));
  putU32(b, (uint32_t)((uint64_t)v >> 32));
}

/* Text constants are stored as string indexes: find v's. */
static uint32_t strIndexOf(const Program *p, const char *s) {
  for (uint32_t i = 0; i < p->nstr; i++) if (p->str[i] == s) return i;
  return CAMP_NONE;
}

static void putWindow(Buf *b, const ProgWindow *w) {
  putU8(b, (uint8_t)w->from); putU8(b, (uint8_t)(w->from >> 8));
  putU8(b, (uint8_t)w->to); putU8(b, (uint8_t)(w->to >> 8)); putU8(b, w->days);
}

/* A campaign's timing (image version 7 on): 39 bytes. */
static void putCampaignTiming(Buf *b, const ProgCampaign *c) {
  putU32(b, c->tz); putU32(b, c->tzField); putWindow(b, &c->win);
  for (int k = 0; k < 2; k++) { putU32(b, c->cap[k].n); putI64(b, c->cap[k].period); }
  putU8(b, c->priority); putU8(b, c->atLocal);
}

/* An activity's timing and path (image version 7 on): 29 bytes. */
static void putActivityTiming(Buf *b, const ProgActivity *a) {
  putU32(b, (uint32_t)a->delayDays); putU32(b, (uint32_t)a->delayMonths);
  putU8(b, (uint8_t)a->atMinute); putU8(b, (uint8_t)(a->atMinute >> 8));
  putWindow(b, &a->win); putU8(b, a->capMode);
  putU32(b, a->path); putU32(b, a->share0); putU32(b, a->nshare); putU8(b, a->abMetric);
}

static void putValue(Buf *b, const Program *p, const Value *v) {
  putU8(b, v->tag);
  switch (v->tag) {
  case VAL_NULL: break;
  case VAL_REAL: { uint64_t x; memcpy(&x, &v->u.r, 8); putI64(b, (int64_t)x); break; }
  case VAL_TEXT: putU32(b, strIndexOf(p, v->u.s)); break;
  case VAL_LIST:
    putU32(b, v->len);
    for (uint32_t i = 0; i < v->len; i++) putValue(b, p, &v->u.items[i]);
    break;
  default: putI64(b, v->u.i);
  }
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32]) {
  unsigned len = 32;
  EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

int campProgramSave(Program *p, uint8_t **out, size_t *outLen) {
  Buf b = { 0 };
  campBufPut(&b, CAMP_IMAGE_MAGIC, 8);
  putU32(&b, CAMP_IMAGE_VERSION);
  uint8_t zero[32] = { 0 };
  campBufPut(&b, zero, 32);
  putU32(&b, 0);
  putU32(&b, p->nstr);
  for (uint32_t i = 0; i < p->nstr; i++) { putU32(&b, p->strLen[i]); campBufPut(&b, p->str[i], p->strLen[i]); }
  putU32(&b, p->nconst);
  for (uint32_t i = 0; i < p->nconst; i++) putValue(&b, p, &p->consts[i]);
  putU32(&b, p->nmodel);
  for (uint32_t i = 0; i < p->nmodel; i++) {
    putU32(&b, p->models[i].name);
    putU32(&b, p->models[i].nfield);
    for (uint32_t j = 0; j < p->models[i].nfield; j++) {
      putU32(&b, p->models[i].fields[j].name);
      putU8(&b, p->models[i].fields[j].type);
    }
    putU32(&b, p->models[i].optOut);
  }
  putU32(&b, p->ncamp);
  for (uint32_t i = 0; i < p->ncamp; i++) {
    const ProgCampaign *c = &p->camps[i];
    uint32_t f[] = { c->name, c->title, c->model, c->filter, c->unique, c->code, c->firstAct, c->nact, c->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) putU32(&b, f[k]);
    putU8(&b, c->isMailing); putU32(&b, c->list); putI64(&b, c->at); putU32(&b, c->initiative); putU32(&b, c->via);
    putCampaignTiming(&b, c);
  }
  putU32(&b, p->nact);
  for (uint32_t i = 0; i < p->nact; i++) {
    const ProgActivity *a = &p->acts[i];
    putU32(&b, a->name); putU32(&b, a->campaign); putU8(&b, a->kind); putU8(&b, a->trigger);
    putU32(&b, a->parent); putI64(&b, a->delay); putI64(&b, a->window); putI64(&b, a->expire);
    uint32_t f[] = { a->filter, a->subject, a->body, a->text, a->from, a->actions, a->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) putU32(&b, f[k]);
    putU8(&b, a->match); putU32(&b, a->pattern);
    putActivityTiming(&b, a);
  }
  putU32(&b, p->nlist);
  for (uint32_t i = 0; i < p->nlist; i++) {
    const ProgList *l = &p->lists[i];
    putU32(&b, l->name); putU32(&b, l->title); putU32(&b, l->model); putU32(&b, l->filter); putU32(&b, l->line);
    putU8(&b, l->kind); putU8(&b, l->keep); putU32(&b, l->contact); putU32(&b, l->where);
  }
  putU32(&b, p->ninit);
  for (uint32_t i = 0; i < p->ninit; i++) {
    const ProgInitiative *n = &p->inits[i];
    uint32_t f[] = { n->name, n->title, n->code, n->currency, n->description, n->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) putU32(&b, f[k]);
    putI64(&b, n->start); putI64(&b, n->end); putI64(&b, n->budget); putU8(&b, n->scale);
  }
  putU32(&b, p->nsite);
  for (uint32_t i = 0; i < p->nsite; i++) {
    const ProgWebsite *w = &p->sites[i];
    uint32_t f[] = { w->name, w->title, w->siteId, w->url, w->model, w->initiative, w->code, w->identify, w->goal0, w->ngoal, w->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) putU32(&b, f[k]);
    putU8(&b, w->linkToken);
  }
  putU32(&b, p->ngoal);
  for (uint32_t i = 0; i < p->ngoal; i++) putU32(&b, p->goals[i]);
  putU32(&b, p->nsync);
  for (uint32_t i = 0; i < p->nsync; i++) {
    const ProgSync *y = &p->syncs[i];
    uint32_t f[] = { y->name, y->title, y->list, y->remote, y->segment, y->field0, y->nfield, y->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) putU32(&b, f[k]);
    putU8(&b, y->esp); putI64(&b, y->every);
  }
  putU32(&b, p->nsfield);
  for (uint32_t i = 0; i < p->nsfield; i++) {
    putU32(&b, p->sfields[i].tag); putU32(&b, p->sfields[i].field); putU32(&b, p->sfields[i].value);
  }
  putU32(&b, p->nshare);
  for (uint32_t i = 0; i < p->nshare; i++) { putU8(&b, (uint8_t)p->shares[i]); putU8(&b, (uint8_t)(p->shares[i] >> 8)); }
  putU32(&b, p->ncode);
  for (uint32_t i = 0; i < p->ncode; i++) {
    const ProgCode *c = &p->code[i];
    putU8(&b, c->kind); putU32(&b, c->model); putU32(&b, c->start); putU32(&b, c->len);
    putU32(&b, c->line); putU32(&b, c->file);
  }
  putU32(&b, p->nbc);
  campBufPut(&b, p->bc, p->nbc);
  putU32(&b, p->nline);
  for (uint32_t i = 0; i < p->nline; i++) { putU32(&b, p->lines[i].pc); putU32(&b, p->lines[i].line); }
  if (b.oom || b.n - HEADER_LEN > UINT32_MAX) { free(b.p); return -1; }
  uint32_t body = (uint32_t)(b.n - HEADER_LEN);
  for (int k = 0; k < 4; k++) b.p[44 + k] = (uint8_t)(body >> (8 * k));
  sha256((const uint8_t *)b.p + HEADER_LEN, body, p->hash);
  memcpy(b.p + 12, p->hash, 32);
  *out = (uint8_t *)b.p;
  *outLen = b.n;
  return 0;
}

/* -- reading ---------------------------------------------------------------- */

typedef struct Rd {
  const uint8_t *p, *end;
  char *err; size_t errSize;
  int bad;
  uint8_t *mem; size_t used, cap;   /* one block for everything loaded */
} Rd;

__attribute__((format(printf, 2, 3)))
static void fail(Rd *r, const char *fmt, ...) {
  if (r->bad) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err, r->errSize, fmt, ap);
  va_end(ap);
  r->bad = 1;
}

static int need(Rd *r, size_t n, const char *what) {
  if (r->bad) return 0;
  if ((size_t)(r->end - r->p) < n) { fail(r, "image is truncated (in %s)", what); return 0; }
  return 1;
}

static uint8_t getU8(Rd *r, const char *what) { return need(r, 1, what) ? *r->p++ : 0; }
static uint32_t getU32(Rd *r, const char *what) {
  if (!need(r, 4, what)) return 0;
  uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
  r->p += 4;
  return v;
}
static uint16_t getU16(Rd *r, const char *what) {
  uint16_t lo = getU8(r, what);
  return (uint16_t)(lo | getU8(r, what) << 8);
}
static int64_t getI64(Rd *r, const char *what) {
  uint64_t lo = getU32(r, what), hi = getU32(r, what);
  return (int64_t)(lo | hi << 32);
}

/* Allocate from the loader's block (sized up front from the image length). */
static void *take(Rd *r, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (r->bad || n > r->cap - r->used) { fail(r, "image is corrupted (tables larger than the image)"); return NULL; }
  void *p = r->mem + r->used;
  r->used += n;
  return p;
}

/* A table count: each record needs at least minBytes of the rest. */
static uint32_t getCount(Rd *r, size_t minBytes, const char *what) {
  uint32_t n = getU32(r, what);
  if (!r->bad && minBytes && n > (size_t)(r->end - r->p) / minBytes) {
    fail(r, "image is corrupted (%s count %u is larger than the image)", what, n);
    return 0;
  }
  return n;
}

static int getValue(Rd *r, Program *p, Value *v, int depth) {
  memset(v, 0, sizeof *v);
  v->tag = getU8(r, "constants");
  switch (v->tag) {
  case VAL_NULL: return 0;
  case VAL_BOOL: case VAL_INT: case VAL_TIME: case VAL_DURATION:
    v->u.i = getI64(r, "constants");
    if (v->tag == VAL_BOOL && (v->u.i & ~1)) fail(r, "image is corrupted (bool constant %lld)", (long long)v->u.i);
    return 0;
  case VAL_REAL: { uint64_t x = (uint64_t)getI64(r, "constants"); memcpy(&v->u.r, &x, 8); return 0; }
  case VAL_TEXT: {
    uint32_t s = getU32(r, "constants");
    if (r->bad) return -1;
    if (s >= p->nstr) { fail(r, "image is corrupted (constant names string %u of %u)", s, p->nstr); return -1; }
    v->u.s = p->str[s]; v->len = p->strLen[s];
    return 0;
  }
  case VAL_LIST: {
    if (depth > 0) { fail(r, "image is corrupted (nested list constant)"); return -1; }
    uint32_t n = getCount(r, 1, "list constant");
    Value *items = take(r, (size_t)(n ? n : 1) * sizeof *items);
    if (!items) return -1;
    for (uint32_t i = 0; i < n && !r->bad; i++) getValue(r, p, &items[i], depth + 1);
    v->len = n; v->u.items = items;
    return r->bad ? -1 : 0;
  }
  default:
    fail(r, "image is corrupted (constant of unknown type %u)", v->tag);
    return -1;
  }
}

static int checkIndex(Rd *r, uint32_t v, uint32_t n, int noneOk, const char *what) {
  if (r->bad) return 0;
  if (v == CAMP_NONE && noneOk) return 1;
  if (v >= n) { fail(r, "image is corrupted (%s index %u of %u)", what, v, n); return 0; }
  return 1;
}

static int checkBlock(Rd *r, uint32_t v, const Program *p, int kind, const char *what) {
  if (!checkIndex(r, v, p->ncode, 1, what)) return 0;
  if (v != CAMP_NONE && kind && p->code[v].kind != kind) {
    fail(r, "image is corrupted (%s is a block of the wrong kind)", what);
    return 0;
  }
  return 1;
}

/* The operand of the instruction at code[pc] (opcode o) names something
** that exists: a constant, a field of the block's model, a native of the
** right kind.  Checked for every instruction, reached or not: the
** disassembler lists them all. */
static void checkOperand(Rd *r, const Program *p, uint32_t b, const uint8_t *code, uint32_t pc) {
  const ProgCode *c = &p->code[b];
  uint8_t o = code[pc];
  const uint8_t *x = code + pc + 1;          /* the operand bytes are in the block: checked by the caller */
  uint32_t arg = campOpcodes[o].operand == OPND_U32 ? (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24 : 0;
  switch (o) {
  case OP_CONST:
    if (arg >= p->nconst) fail(r, "image is corrupted (block %u: constant %u of %u at %u)", b, arg, p->nconst, pc);
    break;
  case OP_FIELD:
    if (c->model >= p->nmodel || arg >= p->models[c->model].nfield)
      fail(r, "image is corrupted (block %u: field %u out of range at %u)", b, arg, pc);
    break;
  case OP_CALL: case OP_ACTION: {
    uint32_t nat = (uint32_t)x[0] | (uint32_t)x[1] << 8;
    if (nat >= (uint32_t)campNativeCount)
      fail(r, "image is corrupted (block %u: native %u of %d at %u)", b, nat, campNativeCount, pc);
    else if ((o == OP_CALL) != (campNatives[nat].kind != NATIVE_ACT))
      fail(r, "image is corrupted (block %u: %s of '%s' at %u)", b, campOpcodes[o].name, campNatives[nat].name, pc);
    break;
  }
  default: break;
  }
}

/* Decode and check every instruction of block b: operands in range (all
** of them, reachable or not), jumps onto instruction starts, the stack
** depth consistent along every path (one pass suffices: code only jumps
** forward), RET last. */
static void checkCode(Rd *r, const Program *p, uint32_t b) {
  const ProgCode *c = &p->code[b];
  const uint8_t *code = p->bc + c->start;
  uint32_t n = c->len;
  int16_t *depthAt = calloc((size_t)n + 1, sizeof *depthAt);   /* -1 unknown; else depth + 1 */
  uint8_t *start = calloc((size_t)n + 1, 1);
  if (!depthAt || !start) { fail(r, "out of memory checking the image"); free(depthAt); free(start); return; }
  for (uint32_t pc = 0; pc < n && !r->bad;) {
    uint8_t o = code[pc];
    if (o >= OP_COUNT_) { fail(r, "image is corrupted (block %u: unknown opcode %u at %u)", b, o, pc); break; }
    uint32_t len = campOpcodes[o].len;
    if (pc + len > n) { fail(r, "image is corrupted (block %u: instruction at %u runs past its block)", b, pc); break; }
    checkOperand(r, p, b, code, pc);
    start[pc] = 1;
    pc += len;
  }
  int depth = 0, lastRet = 0, reachable = 1;
  for (uint32_t pc = 0; pc < n && !r->bad;) {
    uint8_t o = code[pc];
    const uint8_t *x = code + pc + 1;
    uint32_t len = campOpcodes[o].len;
    if (depthAt[pc]) {
      if (reachable && depthAt[pc] - 1 != depth) { fail(r, "image is corrupted (block %u: stack depth differs where paths meet at %u)", b, pc); break; }
      depth = depthAt[pc] - 1;
      reachable = 1;
    }
    if (!reachable) { pc += len; continue; }
    uint32_t arg = 0;
    if (campOpcodes[o].operand == OPND_U32 || campOpcodes[o].operand == OPND_ADDR) arg = (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
    int pops = campOpcodes[o].pops, pushes = campOpcodes[o].pushes;
    if (o == OP_CALL || o == OP_ACTION) pops = x[2];         /* operands checked by checkOperand */
    else if (o == OP_CONCAT) pops = x[0] | x[1] << 8;
    if (depth < pops) { fail(r, "image is corrupted (block %u: stack underflow at %u)", b, pc); break; }
    depth += pushes - pops;
    if (depth > CAMP_STACK_MAX) { fail(r, "image is corrupted (block %u: stack deeper than %d)", b, CAMP_STACK_MAX); break; }
    if (campOpcodes[o].operand == OPND_ADDR) {
      if (arg <= pc || arg > n || (arg < n && !start[arg])) {
        fail(r, "image is corrupted (block %u: jump at %u to %u is not an instruction ahead)", b, pc, arg);
        break;
      }
      int d = depth;                                       /* ANDJ/ORJ keep the value when jumping */
      if (o == OP_ANDJ || o == OP_ORJ) depth--;            /* and pop it when falling through */
      if (depthAt[arg] && depthAt[arg] - 1 != d) { fail(r, "image is corrupted (block %u: stack depth differs at %u)", b, arg); break; }
      depthAt[arg] = (int16_t)(d + 1);
      if (o == OP_JUMP) reachable = 0;
    }
    lastRet = o == OP_RET;
    if (o == OP_RET) reachable = 0;
    pc += len;
  }
  if (!r->bad && depthAt[n]) fail(r, "image is corrupted (block %u: a jump leaves the block)", b);
  if (!r->bad && (n == 0 || !lastRet)) fail(r, "image is corrupted (block %u does not end in RET)", b);
  free(depthAt);
  free(start);
}

/* A mailing is one email, or (image version 7 on) an A/B test: a split
** at the top whose paths are one email each, the last of them the winner
** (abMetric). */
static int mailingShapeOk(const Program *p, const ProgCampaign *c) {
  const ProgActivity *a = &p->acts[c->firstAct];
  if (c->nact == 1) return a->kind == ACT_EMAIL && !a->abMetric;
  if (a->kind != ACT_SPLIT || c->nact != a->nshare + 1) return 0;
  for (uint32_t k = 1; k < c->nact; k++) {
    const ProgActivity *v = &p->acts[c->firstAct + k];
    if (v->kind != ACT_EMAIL || v->parent != c->firstAct || v->path != k - 1 || (v->abMetric != AB_NONE) != (k == c->nact - 1)) return 0;
  }
  return 1;
}

/* A campaign's mailing fields (image version 3 on) agree with what the
** runtime does with them: a campaign has none; a mailing names a list of
** its model and is one email. */
static void checkMailing(Rd *r, const Program *p, uint32_t i) {
  const ProgCampaign *c = &p->camps[i];
  if (r->bad) return;
  if (c->isMailing > 1) { fail(r, "image is corrupted (campaign %u: isMailing %u)", i, c->isMailing); return; }
  if (!checkIndex(r, c->initiative, p->ninit, 1, "campaign initiative")) return;
  if (!c->isMailing && c->at) { fail(r, "image is corrupted (campaign %u has a time but is no mailing)", i); return; }
  if (!checkIndex(r, c->list, p->nlist, !c->isMailing, "campaign list") || c->list == CAMP_NONE) return;
  if (p->lists[c->list].model != c->model) fail(r, "image is corrupted (campaign %u: its list is of another model)", i);
  else if (c->isMailing && !mailingShapeOk(p, c))
    fail(r, "image is corrupted (mailing %u is not one email, nor an A/B test)", i);
}

/* A list's kind and contact field, an initiative's strings and scale
** (image version 4 on). */
static void checkListsAndInitiatives(Rd *r, const Program *p) {
  for (uint32_t i = 0; i < p->nlist && !r->bad; i++) {
    const ProgList *l = &p->lists[i];
    checkIndex(r, l->name, p->nstr, 0, "list name");
    checkIndex(r, l->title, p->nstr, 0, "list title");
    if (!checkIndex(r, l->model, p->nmodel, 0, "list model")) break;
    checkBlock(r, l->filter, p, CODE_FILTER, "list filter");
    checkIndex(r, l->contact, p->models[l->model].nfield, 1, "list contact field");
    checkIndex(r, l->where, p->nstr, 1, "list filter text");
    if (!r->bad && (l->kind < LIST_DYNAMIC || l->kind > LIST_MANUAL || l->keep > 1 ||
                    (l->kind == LIST_MANUAL) != (l->filter == CAMP_NONE) || (l->kind == LIST_MANUAL && l->keep)))
      fail(r, "image is corrupted (list %u: kind %u, keep %u)", i, l->kind, l->keep);
  }
  for (uint32_t i = 0; i < p->ninit && !r->bad; i++) {
    const ProgInitiative *n = &p->inits[i];
    checkIndex(r, n->name, p->nstr, 0, "initiative name");
    checkIndex(r, n->title, p->nstr, 0, "initiative title");
    checkIndex(r, n->code, p->nstr, 0, "initiative code");
    checkIndex(r, n->currency, p->nstr, 1, "initiative currency");
    checkIndex(r, n->description, p->nstr, 1, "initiative description");
    if (!r->bad && (n->scale < SCALE_HOUR || n->scale > SCALE_MONTH || n->budget < -1 || (n->start && n->end && n->start >= n->end)))
      fail(r, "image is corrupted (initiative %u: scale %u, budget or period)", i, n->scale);
  }
}

/* The websites and their goals (image version 5 on; none before). */
static void readWebsites(Rd *r, Program *p, uint32_t version) {
  p->nsite = version >= 5 ? getCount(r, 45, "website") : 0;
  p->sites = take(r, (size_t)p->nsite * sizeof *p->sites + 1);
  for (uint32_t i = 0; i < p->nsite && !r->bad; i++) {
    ProgWebsite *w = &p->sites[i];
    uint32_t *f[] = { &w->name, &w->title, &w->siteId, &w->url, &w->model, &w->initiative, &w->code, &w->identify,
                      &w->goal0, &w->ngoal, &w->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) *f[k] = getU32(r, "websites");
    w->linkToken = getU8(r, "websites");
  }
  p->ngoal = version >= 5 ? getCount(r, 4, "goal") : 0;
  p->goals = take(r, (size_t)p->ngoal * sizeof *p->goals + 1);
  for (uint32_t i = 0; i < p->ngoal && !r->bad; i++) p->goals[i] = getU32(r, "goals");
}

static void getWindow(Rd *r, ProgWindow *w, const char *what) {
  w->from = getU16(r, what); w->to = getU16(r, what); w->days = getU8(r, what);
}

/* A campaign's timing (image version 7 on; before: UTC, no window, no cap
** of its own, default priority). */
static void readCampaignTiming(Rd *r, ProgCampaign *c, uint32_t version) {
  c->tz = c->tzField = CAMP_NONE;
  c->priority = CAMP_PRIORITY_DEFAULT;
  if (version < 7) return;
  c->tz = getU32(r, "campaigns"); c->tzField = getU32(r, "campaigns"); getWindow(r, &c->win, "campaigns");
  for (int k = 0; k < 2; k++) { c->cap[k].n = getU32(r, "campaigns"); c->cap[k].period = getI64(r, "campaigns"); }
  c->priority = getU8(r, "campaigns"); c->atLocal = getU8(r, "campaigns");
}

/* An activity's timing and path (image version 7 on; before: its whole
** delay in seconds, no time of day, no window, on no path). */
static void readActivityTiming(Rd *r, ProgActivity *a, uint32_t version) {
  a->atMinute = CAMP_NO_TIME;
  a->path = CAMP_NONE;
  if (version < 7) return;
  a->delayDays = (int32_t)getU32(r, "activities"); a->delayMonths = (int32_t)getU32(r, "activities");
  a->atMinute = getU16(r, "activities"); getWindow(r, &a->win, "activities"); a->capMode = getU8(r, "activities");
  a->path = getU32(r, "activities"); a->share0 = getU32(r, "activities"); a->nshare = getU32(r, "activities");
  a->abMetric = getU8(r, "activities");
}

/* The split shares (image version 7 on; none before). */
static void readShares(Rd *r, Program *p, uint32_t version) {
  p->nshare = version >= 7 ? getCount(r, 2, "share") : 0;
  p->shares = take(r, (size_t)p->nshare * sizeof *p->shares + 1);
  for (uint32_t i = 0; i < p->nshare && !r->bad; i++) p->shares[i] = getU16(r, "shares");
}

static int windowOk(const ProgWindow *w) { return w->from < 1440 && w->to < 1440 && w->days < 128 && (w->days == 0 || w->from != w->to); }

/* A campaign's zone, zone field, window, caps and priority. */
static void checkCampaignTiming(Rd *r, const Program *p, uint32_t i) {
  const ProgCampaign *c = &p->camps[i];
  checkIndex(r, c->tz, p->nstr, 1, "campaign time zone");
  if (!r->bad && c->tzField != CAMP_NONE &&
      (c->tzField >= p->models[c->model].nfield || p->models[c->model].fields[c->tzField].type != TYPE_TEXT))
    fail(r, "image is corrupted (campaign %u: time zone field)", i);
  if (!r->bad && (!windowOk(&c->win) || c->priority > 100 || c->atLocal > 1 || (c->atLocal && !c->isMailing) ||
                  c->cap[0].period < 0 || c->cap[1].period < 0 || (c->cap[0].n && !c->cap[0].period) || (c->cap[1].n && !c->cap[1].period)))
    fail(r, "image is corrupted (campaign %u: window, caps, priority or local time)", i);
}

/* An activity's calendar delay, time of day, window, cap mode, path and
** shares: a branch node's children are on one of its paths, a split's
** shares sum to 100 %, an if has two paths. */
static void checkActivityTiming(Rd *r, const Program *p, uint32_t i) {
  const ProgActivity *a = &p->acts[i];
  if (a->delayDays < 0 || a->delayMonths < 0 || (a->atMinute != CAMP_NO_TIME && a->atMinute >= 1440) || !windowOk(&a->win) ||
      a->capMode > CAP_EXEMPT || a->abMetric > AB_CLICKS || (a->abMetric && a->kind != ACT_EMAIL)) {
    fail(r, "image is corrupted (activity %u: delay, time of day, window, cap or A/B metric)", i);
    return;
  }
  int underBranch = a->parent != CAMP_NONE && campActIsBranch(p->acts[a->parent].kind);
  uint32_t npath = !underBranch ? 0 : p->acts[a->parent].kind == ACT_IF ? 2 : p->acts[a->parent].nshare;
  if (underBranch ? (a->trigger != TRIG_DONE || a->path >= npath) : a->path != CAMP_NONE) {
    fail(r, "image is corrupted (activity %u: path)", i);
    return;
  }
  if (a->kind == ACT_SPLIT) {
    uint32_t sum = 0;
    if (a->share0 > p->nshare || a->nshare < 2 || a->nshare > p->nshare - a->share0) { fail(r, "image is corrupted (split %u: shares)", i); return; }
    for (uint32_t k = a->share0; k < a->share0 + a->nshare; k++) sum += p->shares[k];
    if (sum != 10000) fail(r, "image is corrupted (split %u: shares sum to %u basis points)", i, sum);
  } else if (a->nshare) fail(r, "image is corrupted (activity %u: shares on no split)", i);
  if (!r->bad && a->kind == ACT_IF && a->filter == CAMP_NONE) fail(r, "image is corrupted (if %u without a condition)", i);
}

/* The syncs and their fields (image version 6 on; none before). */
static void readSyncs(Rd *r, Program *p, uint32_t version) {
  p->nsync = version >= 6 ? getCount(r, 41, "sync") : 0;
  p->syncs = take(r, (size_t)p->nsync * sizeof *p->syncs + 1);
  for (uint32_t i = 0; i < p->nsync && !r->bad; i++) {
    ProgSync *y = &p->syncs[i];
    uint32_t *f[] = { &y->name, &y->title, &y->list, &y->remote, &y->segment, &y->field0, &y->nfield, &y->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) *f[k] = getU32(r, "syncs");
    y->esp = getU8(r, "syncs");
    y->every = getI64(r, "syncs");
  }
  p->nsfield = version >= 6 ? getCount(r, 12, "sync field") : 0;
  p->sfields = take(r, (size_t)p->nsfield * sizeof *p->sfields + 1);
  for (uint32_t i = 0; i < p->nsfield && !r->bad; i++) {
    ProgSyncField *x = &p->sfields[i];
    x->tag = getU32(r, "sync fields"); x->field = getU32(r, "sync fields"); x->value = getU32(r, "sync fields");
  }
}

/* A sync's strings, list, provider, period and fields (each a field of the
** list's model or a template over it, never both); a mailing's sync. */
static void checkSyncs(Rd *r, const Program *p) {
  for (uint32_t i = 0; i < p->nsync && !r->bad; i++) {
    const ProgSync *y = &p->syncs[i];
    checkIndex(r, y->name, p->nstr, 0, "sync name");
    checkIndex(r, y->title, p->nstr, 0, "sync title");
    checkIndex(r, y->remote, p->nstr, 0, "sync audience or address book");
    checkIndex(r, y->segment, p->nstr, 1, "sync segment");
    if (!checkIndex(r, y->list, p->nlist, 0, "sync list")) return;
    if (y->esp < ESP_MAILCHIMP || y->esp > ESP_DOTDIGITAL || y->every < 0 || y->field0 > p->nsfield ||
        y->nfield > p->nsfield - y->field0) {
      fail(r, "image is corrupted (sync %u: provider, period or fields)", i);
      return;
    }
    uint32_t model = p->lists[y->list].model;
    for (uint32_t f = y->field0; f < y->field0 + y->nfield && !r->bad; f++) {
      const ProgSyncField *x = &p->sfields[f];
      checkIndex(r, x->tag, p->nstr, 0, "sync field tag");
      if ((x->field == CAMP_NONE) == (x->value == CAMP_NONE)) fail(r, "image is corrupted (sync field %u)", f);
      else if (x->field != CAMP_NONE) checkIndex(r, x->field, p->models[model].nfield, 0, "sync field");
      else checkBlock(r, x->value, p, CODE_TEMPLATE, "sync field template");
    }
  }
  for (uint32_t i = 0; i < p->ncamp && !r->bad; i++) {
    const ProgCampaign *c = &p->camps[i];
    if (c->via == CAMP_NONE) continue;
    if (checkIndex(r, c->via, p->nsync, 0, "mailing sync") && (!c->isMailing || p->syncs[c->via].list != c->list))
      fail(r, "image is corrupted (campaign %u is sent via a sync of another list)", i);
  }
}

/* A website's strings, model, initiative, trusted field and goals. */
static void checkWebsites(Rd *r, const Program *p) {
  for (uint32_t i = 0; i < p->nsite && !r->bad; i++) {
    const ProgWebsite *w = &p->sites[i];
    checkIndex(r, w->name, p->nstr, 0, "website name");
    checkIndex(r, w->title, p->nstr, 0, "website title");
    checkIndex(r, w->siteId, p->nstr, 0, "website identifier");
    checkIndex(r, w->url, p->nstr, 0, "website url");
    checkIndex(r, w->initiative, p->ninit, 1, "website initiative");
    checkIndex(r, w->code, p->nstr, 1, "website code");
    if (checkIndex(r, w->model, p->nmodel, 1, "website model") && w->model != CAMP_NONE)
      checkIndex(r, w->identify, p->models[w->model].nfield, 1, "website identify field");
    else if (!r->bad && w->identify != CAMP_NONE) fail(r, "image is corrupted (website %u identifies without a model)", i);
    if (!r->bad && (w->linkToken > 1 || w->goal0 > p->ngoal || w->ngoal > p->ngoal - w->goal0))
      fail(r, "image is corrupted (website %u: link token or goals)", i);
  }
  for (uint32_t i = 0; i < p->ngoal && !r->bad; i++) checkIndex(r, p->goals[i], p->nstr, 0, "goal");
}

/* A visit branch's match: only on visit triggers, a pattern exactly when
** it matches something, under a message. */
static void checkVisitMatch(Rd *r, const Program *p, uint32_t i) {
  const ProgActivity *a = &p->acts[i];
  int visit = a->trigger == TRIG_VISIT || a->trigger == TRIG_NO_VISIT;
  if (r->bad || !checkIndex(r, a->pattern, p->nstr, 1, "visit pattern")) return;
  if (a->match > MATCH_EVENT || (a->match != MATCH_ANY && !visit) || (a->match == MATCH_ANY) != (a->pattern == CAMP_NONE) ||
      (visit && p->acts[a->parent].kind == ACT_ACTION))
    fail(r, "image is corrupted (activity %u: visit match %u)", i, a->match);
}

/* The mailings table of an image before version 3 (after its lists): the
** declarations as written, in the loader's block; checked by the caller
** with the other cross references. */
static ProgMailing *readOldMailings(Rd *r, uint32_t *n) {
  *n = getCount(r, 40, "mailing");
  ProgMailing *mails = take(r, (size_t)*n * sizeof *mails + 1);
  for (uint32_t i = 0; i < *n && !r->bad; i++) {
    ProgMailing *m = &mails[i];
    m->name = getU32(r, "mailings"); m->title = getU32(r, "mailings"); m->list = getU32(r, "mailings");
    m->at = getI64(r, "mailings");
    uint32_t *f[] = { &m->subject, &m->body, &m->text, &m->from, &m->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) *f[k] = getU32(r, "mailings");
    m->initiative = CAMP_NONE;
    m->via = CAMP_NONE;
  }
  return mails;
}

/* The image-format upgrade of an image before version 3: its checked
** mailings become campaigns and activities appended to p's, exactly as the
** compiler now emits them.  New tables come from the loader's block, which
** holds them: each table takes under 8 times its bytes in the image. */
static void upgradeMailings(Rd *r, Program *p, const ProgMailing *mails, uint32_t nmail) {
  ProgCampaign *camps = take(r, (size_t)(p->ncamp + nmail) * sizeof *camps);
  ProgActivity *acts = take(r, (size_t)(p->nact + nmail) * sizeof *acts);
  if (!camps || !acts) return;
  memcpy(camps, p->camps, (size_t)p->ncamp * sizeof *camps);
  memcpy(acts, p->acts, (size_t)p->nact * sizeof *acts);
  for (uint32_t i = 0; i < nmail; i++)
    campProgramLowerMailing(p, &mails[i], p->ncamp + i, p->nact + i, &camps[p->ncamp + i], &acts[p->nact + i]);
  p->camps = camps; p->ncamp += nmail;
  p->acts = acts; p->nact += nmail;
}

Program *campProgramLoad(const uint8_t *buf, size_t len, char *err, size_t errSize) {
  Rd r = { .p = buf, .end = buf + len, .err = err, .errSize = errSize };
  if (len < 8 || memcmp(buf, CAMP_IMAGE_MAGIC, 8) != 0) {
    snprintf(err, errSize, len < 8 ? "image is truncated (%zu bytes)" : "not a camp image (bad magic)", len);
    return NULL;
  }
  if (len < HEADER_LEN) { snprintf(err, errSize, "image is truncated (header)"); return NULL; }
  r.p += 8;
  uint32_t version = getU32(&r, "header");
  if (version < 1 || version > CAMP_IMAGE_VERSION) {
    snprintf(err, errSize, "image version %u, this camp reads version %u (recompile the campaign)", version, CAMP_IMAGE_VERSION);
    return NULL;
  }
  uint8_t hash[32], want[32];
  memcpy(want, r.p, 32);
  r.p += 32;
  uint32_t body = getU32(&r, "header");
  if ((size_t)body != len - HEADER_LEN) {
    snprintf(err, errSize, "image is %s (header says %u body bytes, file has %zu)",
             (size_t)body > len - HEADER_LEN ? "truncated" : "corrupted", body, len - HEADER_LEN);
    return NULL;
  }
  sha256(buf + HEADER_LEN, body, hash);
  if (memcmp(hash, want, 32) != 0) { snprintf(err, errSize, "image is corrupted (content hash mismatch)"); return NULL; }
  /* Everything loaded fits in a few times the image size. */
  r.cap = len * 8 + 4096;
  r.mem = calloc(1, r.cap);
  Program *p = calloc(1, sizeof *p);
  if (!r.mem || !p) { free(r.mem); free(p); snprintf(err, errSize, "out of memory loading the image"); return NULL; }
  memcpy(p->hash, hash, 32);
  p->mem_ = r.mem;

  p->nstr = getCount(&r, 4, "string");
  p->str = take(&r, (size_t)p->nstr * sizeof *p->str + 1);
  p->strLen = take(&r, (size_t)p->nstr * sizeof *p->strLen + 1);
  for (uint32_t i = 0; i < p->nstr && !r.bad; i++) {
    uint32_t n = getU32(&r, "strings");
    if (!need(&r, n, "strings")) break;
    char *s = take(&r, (size_t)n + 1);
    if (!s) break;
    memcpy(s, r.p, n);
    s[n] = 0;
    r.p += n;
    p->str[i] = s;
    p->strLen[i] = n;
  }
  p->nconst = getCount(&r, 1, "constant");
  p->consts = take(&r, (size_t)p->nconst * sizeof *p->consts + 1);
  for (uint32_t i = 0; i < p->nconst && !r.bad; i++) getValue(&r, p, &p->consts[i], 0);
  p->nmodel = getCount(&r, 8, "model");
  p->models = take(&r, (size_t)p->nmodel * sizeof *p->models + 1);
  for (uint32_t i = 0; i < p->nmodel && !r.bad; i++) {
    ProgModel *m = &p->models[i];
    m->name = getU32(&r, "models");
    if (checkIndex(&r, m->name, p->nstr, 0, "model name") && p->strLen[m->name] > CAMP_MAX_NAME)
      fail(&r, "image is corrupted (model name of %u bytes, at most %d)", p->strLen[m->name], CAMP_MAX_NAME);
    m->nfield = getCount(&r, 5, "field");
    if (!r.bad && m->nfield == 0) fail(&r, "image is corrupted (model without its id field)");
    if (!r.bad && m->nfield > CAMP_MAX_FIELDS)
      fail(&r, "image is corrupted (model of %u fields, at most %d)", m->nfield, CAMP_MAX_FIELDS);
    m->fields = take(&r, (size_t)m->nfield * sizeof *m->fields + 1);
    for (uint32_t j = 0; j < m->nfield && !r.bad; j++) {
      m->fields[j].name = getU32(&r, "fields");
      m->fields[j].type = getU8(&r, "fields");
      if (checkIndex(&r, m->fields[j].name, p->nstr, 0, "field name") && p->strLen[m->fields[j].name] > CAMP_MAX_NAME)
        fail(&r, "image is corrupted (field name of %u bytes, at most %d)", p->strLen[m->fields[j].name], CAMP_MAX_NAME);
      if (!r.bad && (m->fields[j].type < TYPE_TEXT || m->fields[j].type > TYPE_TAGS))
        fail(&r, "image is corrupted (field of unknown type %u)", m->fields[j].type);
    }
    m->optOut = version >= 2 ? getU32(&r, "models") : CAMP_NONE;
    checkIndex(&r, m->optOut, m->nfield, 1, "opt-out field");
    if (!r.bad && m->optOut != CAMP_NONE && m->fields[m->optOut].type != TYPE_BOOL)
      fail(&r, "image is corrupted (opt-out field %u is not a bool)", m->optOut);
  }
  p->ncamp = getCount(&r, version >= 7 ? 96 : version >= 6 ? 57 : version >= 4 ? 53 : version >= 3 ? 49 : 36, "campaign");
  p->camps = take(&r, (size_t)p->ncamp * sizeof *p->camps + 1);
  for (uint32_t i = 0; i < p->ncamp && !r.bad; i++) {
    ProgCampaign *c = &p->camps[i];
    uint32_t *f[] = { &c->name, &c->title, &c->model, &c->filter, &c->unique, &c->code, &c->firstAct, &c->nact, &c->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) *f[k] = getU32(&r, "campaigns");
    c->list = CAMP_NONE;
    c->initiative = CAMP_NONE;
    if (version >= 3) { c->isMailing = getU8(&r, "campaigns"); c->list = getU32(&r, "campaigns"); c->at = getI64(&r, "campaigns"); }
    if (version >= 4) c->initiative = getU32(&r, "campaigns");
    c->via = version >= 6 ? getU32(&r, "campaigns") : CAMP_NONE;
    readCampaignTiming(&r, c, version);
  }
  p->nact = getCount(&r, version >= 7 ? 100 : version >= 5 ? 67 : 62, "activity");
  p->acts = take(&r, (size_t)p->nact * sizeof *p->acts + 1);
  for (uint32_t i = 0; i < p->nact && !r.bad; i++) {
    ProgActivity *a = &p->acts[i];
    a->name = getU32(&r, "activities"); a->campaign = getU32(&r, "activities");
    a->kind = getU8(&r, "activities"); a->trigger = getU8(&r, "activities");
    a->parent = getU32(&r, "activities");
    a->delay = getI64(&r, "activities"); a->window = getI64(&r, "activities"); a->expire = getI64(&r, "activities");
    uint32_t *f[] = { &a->filter, &a->subject, &a->body, &a->text, &a->from, &a->actions, &a->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) *f[k] = getU32(&r, "activities");
    a->match = MATCH_ANY;
    a->pattern = CAMP_NONE;
    if (version >= 5) { a->match = getU8(&r, "activities"); a->pattern = getU32(&r, "activities"); }
    readActivityTiming(&r, a, version);
  }
  p->nlist = getCount(&r, version >= 4 ? 30 : 20, "list");
  p->lists = take(&r, (size_t)p->nlist * sizeof *p->lists + 1);
  for (uint32_t i = 0; i < p->nlist && !r.bad; i++) {
    ProgList *l = &p->lists[i];
    l->name = getU32(&r, "lists"); l->title = getU32(&r, "lists"); l->model = getU32(&r, "lists");
    l->filter = getU32(&r, "lists"); l->line = getU32(&r, "lists");
    l->kind = l->filter == CAMP_NONE ? LIST_MANUAL : LIST_DYNAMIC;
    l->contact = CAMP_NONE;
    l->where = CAMP_NONE;
    if (version >= 4) {
      l->kind = getU8(&r, "lists"); l->keep = getU8(&r, "lists"); l->contact = getU32(&r, "lists"); l->where = getU32(&r, "lists");
    }
    else if (l->model < p->nmodel) l->contact = campProgramContactField(&p->models[l->model]);
  }
  p->ninit = version >= 4 ? getCount(&r, 49, "initiative") : 0;
  p->inits = take(&r, (size_t)p->ninit * sizeof *p->inits + 1);
  for (uint32_t i = 0; i < p->ninit && !r.bad; i++) {
    ProgInitiative *n = &p->inits[i];
    uint32_t *f[] = { &n->name, &n->title, &n->code, &n->currency, &n->description, &n->line };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) *f[k] = getU32(&r, "initiatives");
    n->start = getI64(&r, "initiatives"); n->end = getI64(&r, "initiatives"); n->budget = getI64(&r, "initiatives");
    n->scale = getU8(&r, "initiatives");
  }
  readWebsites(&r, p, version);
  readSyncs(&r, p, version);
  readShares(&r, p, version);
  uint32_t nmail = 0;
  ProgMailing *mails = version < 3 ? readOldMailings(&r, &nmail) : NULL;
  p->ncode = getCount(&r, 21, "code block");
  p->code = take(&r, (size_t)p->ncode * sizeof *p->code + 1);
  for (uint32_t i = 0; i < p->ncode && !r.bad; i++) {
    ProgCode *c = &p->code[i];
    c->kind = getU8(&r, "code"); c->model = getU32(&r, "code"); c->start = getU32(&r, "code");
    c->len = getU32(&r, "code"); c->line = getU32(&r, "code"); c->file = getU32(&r, "code");
  }
  p->nbc = getCount(&r, 1, "bytecode");
  if (need(&r, p->nbc, "bytecode")) {
    p->bc = take(&r, p->nbc + 1);
    if (p->bc) memcpy(p->bc, r.p, p->nbc);
    r.p += p->nbc;
  }
  p->nline = getCount(&r, 8, "line");
  p->lines = take(&r, (size_t)p->nline * sizeof *p->lines + 1);
  for (uint32_t i = 0; i < p->nline && !r.bad; i++) {
    p->lines[i].pc = getU32(&r, "lines");
    p->lines[i].line = getU32(&r, "lines");
    if (!r.bad && (p->lines[i].pc > p->nbc || (i && p->lines[i].pc < p->lines[i - 1].pc)))
      fail(&r, "image is corrupted (line table out of order)");
  }
  if (!r.bad && r.p != r.end) fail(&r, "image is corrupted (%zu bytes after the last table)", (size_t)(r.end - r.p));

  /* Cross references, then the code itself. */
  for (uint32_t i = 0; i < p->ncode && !r.bad; i++) {
    ProgCode *c = &p->code[i];
    if (c->kind < CODE_FILTER || c->kind > CODE_ACTIONS) fail(&r, "image is corrupted (block %u of unknown kind)", i);
    checkIndex(&r, c->model, p->nmodel, 0, "block model");
    checkIndex(&r, c->file, p->nstr, 0, "block file");
    if (!r.bad && (c->start > p->nbc || c->len > p->nbc - c->start)) fail(&r, "image is corrupted (block %u outside the bytecode)", i);
    if (!r.bad) checkCode(&r, p, i);
  }
  for (uint32_t i = 0; i < p->ncamp && !r.bad; i++) {
    ProgCampaign *c = &p->camps[i];
    checkIndex(&r, c->name, p->nstr, 0, "campaign name");
    checkIndex(&r, c->title, p->nstr, 0, "campaign title");
    checkIndex(&r, c->model, p->nmodel, 0, "campaign model");
    checkBlock(&r, c->filter, p, CODE_FILTER, "campaign filter");
    checkIndex(&r, c->code, p->nstr, 1, "campaign code");
    if (!r.bad && c->unique != CAMP_NONE) checkIndex(&r, c->unique, p->models[c->model].nfield, 0, "unique field");
    if (!r.bad && (c->firstAct > p->nact || c->nact > p->nact - c->firstAct)) fail(&r, "image is corrupted (campaign %u activities out of range)", i);
    for (uint32_t k = c->firstAct; k < c->firstAct + c->nact && !r.bad; k++)
      if (p->acts[k].campaign != i) fail(&r, "image is corrupted (activity %u not in its campaign)", k);
    checkMailing(&r, p, i);
    if (!r.bad) checkCampaignTiming(&r, p, i);
  }
  for (uint32_t i = 0; i < p->nact && !r.bad; i++) {
    ProgActivity *a = &p->acts[i];
    checkIndex(&r, a->name, p->nstr, 0, "activity name");
    checkIndex(&r, a->campaign, p->ncamp, 0, "activity campaign");
    if (!r.bad && (a->kind < ACT_EMAIL || a->kind > ACT_IF)) fail(&r, "image is corrupted (activity of unknown kind %u)", a->kind);
    if (!r.bad && (a->trigger < TRIG_BEGIN || a->trigger > TRIG_NO_VISIT)) fail(&r, "image is corrupted (unknown trigger %u)", a->trigger);
    if (!r.bad && ((a->trigger == TRIG_BEGIN) != (a->parent == CAMP_NONE) || (a->parent != CAMP_NONE && a->parent >= i)))
      fail(&r, "image is corrupted (activity %u has a bad parent)", i);
    if (!r.bad && (a->delay < 0 || a->window < 0 || a->expire < 0)) fail(&r, "image is corrupted (negative duration)");
    checkBlock(&r, a->filter, p, CODE_FILTER, "activity filter");
    checkBlock(&r, a->subject, p, CODE_TEMPLATE, "subject");
    checkBlock(&r, a->body, p, CODE_TEMPLATE, "body");
    checkBlock(&r, a->text, p, CODE_TEMPLATE, "text");
    checkBlock(&r, a->from, p, CODE_TEMPLATE, "from");
    checkBlock(&r, a->actions, p, CODE_ACTIONS, "actions");
    checkVisitMatch(&r, p, i);
    if (!r.bad) checkActivityTiming(&r, p, i);
  }
  checkListsAndInitiatives(&r, p);
  checkWebsites(&r, p);
  checkSyncs(&r, p);
  for (uint32_t i = 0; i < nmail && !r.bad; i++) {
    ProgMailing *m = &mails[i];
    checkIndex(&r, m->name, p->nstr, 0, "mailing name");
    checkIndex(&r, m->title, p->nstr, 0, "mailing title");
    checkIndex(&r, m->list, p->nlist, 0, "mailing list");
    checkBlock(&r, m->subject, p, CODE_TEMPLATE, "subject");
    checkBlock(&r, m->body, p, CODE_TEMPLATE, "body");
    checkBlock(&r, m->text, p, CODE_TEMPLATE, "text");
    checkBlock(&r, m->from, p, CODE_TEMPLATE, "from");
  }
  if (!r.bad && nmail) upgradeMailings(&r, p, mails, nmail);
  if (r.bad) { campProgramFree(p); return NULL; }
  return p;
}

Program *campProgramLoadFile(const char *path, char *err, size_t errSize) {
  FILE *f = fopen(path, "rb");
  if (!f) { snprintf(err, errSize, "cannot read '%s': %s", path, strerror(errno)); return NULL; }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, n;
  do {
    if (cap - len < 65536) {
      cap = cap ? cap * 2 : 65536;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) { free(buf); fclose(f); snprintf(err, errSize, "out of memory reading '%s'", path); return NULL; }
      buf = nb;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
  } while (n > 0);
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); snprintf(err, errSize, "cannot read '%s'", path); return NULL; }
  Program *p = campProgramLoad(buf, len, err, errSize);
  free(buf);
  return p;
}

void campProgramLowerMailing(const Program *p, const ProgMailing *m, uint32_t camp, uint32_t act,
                             ProgCampaign *c, ProgActivity *a) {
  const ProgList *l = &p->lists[m->list];
  const ProgModel *model = &p->models[l->model];
  memset(c, 0, sizeof *c);
  c->name = m->name; c->title = m->title; c->model = l->model; c->filter = CAMP_NONE;   /* its list decides (sched.c) */
  c->unique = CAMP_NONE; c->code = CAMP_NONE; c->firstAct = act; c->nact = 1; c->line = m->line;
  c->isMailing = 1; c->list = m->list; c->at = m->at; c->initiative = m->initiative; c->via = m->via;
  if (m->initiative != CAMP_NONE) c->code = p->inits[m->initiative].code;
  for (uint32_t f = 1; f < model->nfield && c->unique == CAMP_NONE; f++)     /* one message per address */
    if (model->fields[f].type == TYPE_EMAIL) c->unique = f;
  memset(a, 0, sizeof *a);
  a->name = m->name; a->campaign = camp; a->kind = ACT_EMAIL; a->trigger = TRIG_BEGIN; a->parent = CAMP_NONE;
  a->filter = CAMP_NONE; a->subject = m->subject; a->body = m->body; a->text = m->text; a->from = m->from;
  a->actions = CAMP_NONE; a->line = m->line; a->pattern = CAMP_NONE;
  a->atMinute = CAMP_NO_TIME; a->path = CAMP_NONE;
  c->tz = c->tzField = CAMP_NONE; c->priority = CAMP_PRIORITY_DEFAULT;
}

uint32_t campProgramContactField(const ProgModel *m) {
  for (uint32_t f = 1; f < m->nfield; f++) if (m->fields[f].type == TYPE_EMAIL) return f;
  for (uint32_t f = 1; f < m->nfield; f++) if (m->fields[f].type == TYPE_PHONE) return f;
  return CAMP_NONE;
}

void campProgramFree(Program *p) {
  if (!p) return;
  free(p->mem_);
  free(p);
}

void campProgramHashHex(const Program *p, char out[65]) {
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", p->hash[i]);
}

static uint32_t findStr(const Program *p, uint32_t idx, const char *name) {
  return idx < p->nstr && !strcmp(p->str[idx], name);
}

uint32_t campProgramFindCampaign(const Program *p, const char *name) {
  for (uint32_t i = 0; i < p->ncamp; i++) if (findStr(p, p->camps[i].name, name)) return i;
  return CAMP_NONE;
}

uint32_t campProgramFindActivity(const Program *p, uint32_t camp, const char *name) {
  if (camp >= p->ncamp) return CAMP_NONE;
  const ProgCampaign *c = &p->camps[camp];
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact; i++) if (findStr(p, p->acts[i].name, name)) return i;
  return CAMP_NONE;
}

uint32_t campProgramFindField(const Program *p, uint32_t model, const char *name) {
  if (model >= p->nmodel) return CAMP_NONE;
  for (uint32_t i = 0; i < p->models[model].nfield; i++) if (findStr(p, p->models[model].fields[i].name, name)) return i;
  return CAMP_NONE;
}
