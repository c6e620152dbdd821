/*
** runtime/sync_members.c -- what camp wants the provider to hold for a
** sync (docs/SYNC.md, "Export"): the list's members by address, each with
** its state and, for the send set, every mapped field rendered.
**
** Owns: campSyncMembersDesired -- the walk of the sync's list
** (campStoreListEach), a dynamic list's filter, the usable address rule
** (non-empty, has '@', lower-cased; several records with one address are
** one member, the lowest id), each sync field as text (a model field as
** camp prints it, null empty; a template rendered plain).  Does not own:
** membership rules (sched_host.c), the diff and apply (sync.c), the SQL.
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/compose.h"
#include "runtime/sched_send.h"
#include "runtime/sync_int.h"

typedef struct Walk {
  SyncCtx *x;
  const ProgList *l;
  Vm *vm;
  SchedHost host;
  int64_t now;
  GHashTable *want;
  char *err;
  size_t errSize;
} Walk;

static void wantFree(void *v) {
  SyncWant *w = v;
  if (!w) return;
  for (size_t f = 0; w->values && f < w->nfield; f++) free(w->values[f]);
  free(w->values);
  free(w->email);
  free(w);
}

/* Each mapped field of r as text into w->values; a template that fails
** renders empty, reported as the member's refusal.  0 or -1 (memory). */
static int render(Walk *k, SyncWant *w, const VmRecord *r) {
  const SyncCtx *x = k->x;
  const Program *p = x->p;
  if (!(w->values = calloc(x->y->nfield ? x->y->nfield : 1, sizeof *w->values))) return -1;
  w->nfield = x->y->nfield;
  for (uint32_t f = 0; f < x->y->nfield; f++) {
    const ProgSyncField *sf = &p->sfields[x->y->field0 + f];
    char why[256] = "";
    char *s = sf->field != CAMP_NONE ? campComposeValue(k->vm, &r->fields[sf->field])
                                     : campComposeRender(k->vm, p, sf->value, r, k->now, &k->host.vm, why, sizeof why);
    if (!s && why[0]) {
      fprintf(x->o->log ? x->o->log : stderr, "sync %s: %s: field %s: %s\n", x->name, w->email, p->str[sf->tag], why);
      s = strdup("");
    }
    if (!s) return -1;
    w->values[f] = s;
  }
  return 0;
}

/* The record's usable address, lower-cased (malloc'd), or NULL. */
static char *addressOf(const SyncCtx *x, const VmRecord *r) {
  const Value *v = &r->fields[x->email];
  if (v->tag != VAL_TEXT || !v->len || !memchr(v->u.s, '@', v->len)) return NULL;
  return g_ascii_strdown(v->u.s, v->len);
}

static int eachRecord(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row) {
  (void)id;
  Walk *k = ctx;
  if (!r) return 0;
  int match = 0;
  if (k->l->kind == LIST_DYNAMIC && !row->removed) {
    match = campVmFilter(k->vm, k->x->p, k->l->filter, r, k->now, &k->host.vm, k->err, k->errSize);
    if (match < 0) return -1;
  }
  int state = campSchedListSendable(k->l, match, row) ? WANT_SEND
            : campSchedListMember(k->l, match, row) ? WANT_UNSUB
            : row->removed ? WANT_REMOVED : 0;
  if (!state) return 0;
  char *email = addressOf(k->x, r);
  if (!email) return 0;
  SyncWant *w = g_hash_table_lookup(k->want, email);
  if (w && (w->state == WANT_SEND || w->state <= state)) { g_free(email); return 0; }   /* the lowest id, the send set first */
  SyncWant *n = calloc(1, sizeof *n);
  if (!n || !(n->email = strdup(email))) { free(n); g_free(email); snprintf(k->err, k->errSize, "out of memory"); return -1; }
  g_free(email);
  n->state = state;
  n->id = id;
  if (state == WANT_SEND && render(k, n, r) < 0) { wantFree(n); snprintf(k->err, k->errSize, "out of memory"); return -1; }
  g_hash_table_replace(k->want, n->email, n);
  return 0;
}

GHashTable *campSyncMembersDesired(SyncCtx *x, char *err, size_t errSize) {
  Walk k = { .x = x, .l = &x->p->lists[x->y->list], .now = campEngineNow(x->e), .err = err, .errSize = errSize };
  k.vm = campVmNew();
  k.want = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, wantFree);   /* the key is the value's email */
  if (!k.vm) { snprintf(err, errSize, "out of memory"); g_hash_table_destroy(k.want); return NULL; }
  campSchedFilterHost(&k.host, x->e);
  int rc = campStoreListEach(x->e, x->p, x->y->list, LIST_WALK_MEMBERS, 0, eachRecord, &k, err, errSize);
  campVmFree(k.vm);
  if (rc) { g_hash_table_destroy(k.want); return NULL; }
  return k.want;
}
