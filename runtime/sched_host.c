/*
** runtime/sched_host.c -- the host the scheduler gives the VM.
**
** Owns: what campaign code reaches outside the VM while the scheduler runs
** it: in_list() (a dynamic list's filter, or the store's manual members)
** and the actions -- each computed by the actions room (actions.c) as an
** effect, and the effect recorded through the store's record verbs, in the
** transaction (and savepoint) of the activity that ran it.  webhook()
** effects queue in the outbox under the trace whose actions run; their
** final bodies are written once the actions are done.
** Does not own: what an action means (actions.c) or the SQL (store_record.c).
*/
#include <stdio.h>
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

/* VmHost.inList: a dynamic list of the campaign's model is its filter on
** the current record; any other, its members in the store. */
static int hostInList(VmHost *vh, uint32_t list, int64_t rec) {
  SchedHost *h = vh->ctx;
  const Program *p = h->l->p;
  if (list >= p->nlist) return 0;
  const ProgList *l = &p->lists[list];
  if (l->filter != CAMP_NONE && l->model == p->camps[h->l->camp].model) {
    VmRecord r = campStoreRecord(h->e, h->l);
    char err[200];
    Vm *vm = campVmNew();
    int m = vm ? campVmFilter(vm, p, l->filter, &r, campEngineNow(h->e), NULL, err, sizeof err) : 0;
    campVmFree(vm);
    return m > 0;
  }
  return campStoreListMember(h->e, p->str[l->name], p->str[p->models[l->model].name], rec) > 0;
}

void campSchedHost(SchedHost *h, Engine *e, const Loaded *l, int64_t trace) {
  h->e = e;
  h->l = l;
  h->trace = trace;
  h->hooks = 0;
  h->vm.ctx = h;
  h->vm.inList = hostInList;
  h->vm.action = hostAction;
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
