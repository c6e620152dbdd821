/*
** runtime/sched_host.c -- the host the scheduler gives the VM.
**
** Owns: what campaign code reaches outside the VM while the scheduler runs
** it: in_list() and the send set of a list (membership: a list's kind,
** its filter and the record's row in the store), visited() (the record's
** website hits, sched_visit.c)
** and the actions -- each computed by the actions room (actions.c) as an
** effect, and the effect recorded through the store's record verbs, in the
** transaction (and savepoint) of the activity that ran it.  webhook()
** effects queue in the outbox under the trace whose actions run; their
** final bodies are written once the actions are done.
** Does not own: what an action means (actions.c) or the SQL (store_record.c).
*/
#include <stdio.h>
#include <string.h>
#include "runtime/actions.h"
#include "runtime/sched_send.h"

/* Record one effect with the store's verbs. */
static int record(SchedHost *h, const Effect *fx, char *err, size_t errSize) {
  Engine *e = h->e;
  switch (fx->kind) {
  case EFFECT_SET: case EFFECT_TAGS:
    if (campStoreRecordSet(e, fx->model, fx->record, fx->u.set.field, &fx->u.set.value, err, errSize) < 0) return -1;
    campStoreRecordPut(e, h->l, fx->model, fx->record, fx->u.set.field, &fx->u.set.value);   /* the next action reads it */
    return 0;
  case EFFECT_OPT_OUT:
    for (int sms = 0; sms < 2; sms++) {
      const Value *a = sms ? &fx->u.optOut.phone : &fx->u.optOut.email;
      if (a->tag == VAL_TEXT && campStoreSuppress(e, sms, a->u.s, a->len, "opt-out", fx->at, err, errSize) < 0) return -1;
    }
    return 0;
  case EFFECT_LIST:
    return campStoreRecordList(e, fx->u.list.list, fx->model, fx->record, fx->u.list.add, err, errSize);
  case EFFECT_NOTE:
    return campStoreRecordNote(e, fx->model, fx->record, &fx->u.note.text, fx->at, err, errSize);
  case EFFECT_CREATE:
    return campStoreRecordCreate(e, fx->model, fx->u.create.n, fx->u.create.fields, fx->u.create.values, err, errSize);
  case EFFECT_WEBHOOK:
    if (!h->trace) { snprintf(err, errSize, "webhook() runs only in an action activity"); return -1; }
    return campStoreRecordWebhook(e, h->trace, h->hooks++, fx->u.webhook.url.u.s, fx->u.webhook.url.len,
                                  fx->u.webhook.values, err, errSize);
  case EFFECT_NONE: break;
  }
  return 0;
}

/* VmHost.action: the ACT row's effect on the current record, recorded. */
static int hostAction(VmHost *vh, int native, const Value *args, int argc, char *err, size_t errSize) {
  SchedHost *h = vh->ctx;
  const Loaded *l = h->l;
  VmRecord r = campStoreRecord(h->e, l);
  ActionCtx c = { l->p, l->p->camps[l->camp].model, r.fields, r.fields[0].u.i, l->emailField, l->phoneField,
                  campEngineNow(h->e) };
  Effect fx;
  int rc = campActionRun(&c, native, args, argc, &fx, err, errSize);
  if (rc == 0) rc = record(h, &fx, err, errSize);
  campActionEffectFree(&fx);
  return rc;
}

int campSchedListMember(const ProgList *l, int match, const StoreListRow *row) {
  if (row->removed) return 0;
  int kept = l->keep && row->contacted > 0;
  if (l->kind == LIST_MANUAL) return row->member;
  if (l->kind == LIST_ON_DEMAND) return row->member || kept;
  return match || kept;
}

int campSchedListSendable(const ProgList *l, int match, const StoreListRow *row) {
  return !row->unsubscribed && campSchedListMember(l, match, row);
}

/* record's row on list li of l's program, and for a dynamic list of the
** campaign's model the filter's answer on the current record; -1 error. */
static int listState(Engine *e, const Loaded *l, uint32_t li, int64_t record, VmHost *host, StoreListRow *row, int *match,
                     char *err, size_t errSize) {
  const Program *p = l->p;
  const ProgList *pl = &p->lists[li];
  *match = 0;
  if (campStoreListRow(e, p->str[pl->name], p->str[p->models[pl->model].name], record, row) < 0) {
    snprintf(err, errSize, "database: %s", campStoreError(e));
    return -1;
  }
  if (pl->kind != LIST_DYNAMIC || pl->filter == CAMP_NONE || pl->model != p->camps[l->camp].model) return 0;
  VmRecord r = campStoreRecord(e, l);
  *match = campVmFilter(campStoreVm(e), p, pl->filter, &r, campEngineNow(e), host, err, errSize);
  return *match < 0 ? -1 : 0;
}

int campSchedInSendSet(Engine *e, const Loaded *l, int64_t record, VmHost *host, char *err, size_t errSize) {
  const ProgCampaign *c = &l->p->camps[l->camp];
  if (c->list == CAMP_NONE) return 1;
  StoreListRow row;
  int match;
  if (listState(e, l, c->list, record, host, &row, &match, err, errSize) < 0) return -1;
  return campSchedListSendable(&l->p->lists[c->list], match, &row);
}

/* VmHost.visited: the record's website hits (sched_visit.c). */
static int hostVisited(VmHost *vh, const char *model, int64_t id, const char *pattern, size_t patternLen, int64_t since) {
  SchedHost *h = vh->ctx;
  return campSchedVisited(h->e, model, id, pattern, patternLen, since);
}

void campSchedFilterHost(SchedHost *h, Engine *e) {
  memset(h, 0, sizeof *h);
  h->e = e;
  h->vm.ctx = h;
  h->vm.visited = hostVisited;
}

/* VmHost.inList: a member of the list and not removed (unsubscribed
** members are still listed).  A dynamic list's filter runs on the current
** record in a VM of its own (the caller's is in the middle of a run), with
** a host that answers visited() only (no in_list() inside it). */
static int hostInList(VmHost *vh, uint32_t list, int64_t rec) {
  SchedHost *h = vh->ctx;
  const Program *p = h->l->p;
  if (list >= p->nlist) return 0;
  const ProgList *l = &p->lists[list];
  StoreListRow row;
  if (campStoreListRow(h->e, p->str[l->name], p->str[p->models[l->model].name], rec, &row) < 0) return 0;
  int match = 0;
  if (l->kind == LIST_DYNAMIC && l->filter != CAMP_NONE && l->model == p->camps[h->l->camp].model) {
    VmRecord r = campStoreRecord(h->e, h->l);
    char err[200];
    SchedHost only;
    campSchedFilterHost(&only, h->e);
    Vm *vm = campVmNew();
    match = vm ? campVmFilter(vm, p, l->filter, &r, campEngineNow(h->e), &only.vm, err, sizeof err) > 0 : 0;
    campVmFree(vm);
  }
  return campSchedListMember(l, match, &row);
}

void campSchedHost(SchedHost *h, Engine *e, const Loaded *l, int64_t trace) {
  h->e = e;
  h->l = l;
  h->trace = trace;
  h->hooks = 0;
  h->vm.ctx = h;
  h->vm.inList = hostInList;
  h->vm.action = hostAction;
  h->vm.visited = hostVisited;
}

typedef struct BodyCtx { const Loaded *l; uint32_t act; const Value *fields; } BodyCtx;

static char *finalBody(void *ctx, const char *values) {
  const BodyCtx *b = ctx;
  return campActionWebhookBody(b->l->p, b->l->camp, b->act, b->fields, values);
}

int campSchedHookBodies(SchedHost *h, uint32_t act, char *err, size_t errSize) {
  VmRecord r = campStoreRecord(h->e, h->l);
  BodyCtx b = { h->l, act, r.fields };
  return campStoreRecordWebhookBodies(h->e, h->trace, finalBody, &b, err, errSize);
}
