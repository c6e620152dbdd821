/*
** tests/unit/test_actions.c -- the actions as effects, with no database:
** what each ACT row of natives.def would write, computed from its
** arguments and a record given as field values; the webhook's JSON; and
** that every ACT row names a function that exists.
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/actions.h"
#include "runtime/program.h"
#include "runtime/vm.h"
#include "compile_source.h"
#include "test.h"

static const int64_t NOW = 1767603600;          /* 2026-01-05T09:00:00Z */

static const char *const SOURCE =
  "model contact {\n  name text\n  email email\n  phone phone\n  tags tags\n  score int\n}\n"
  "model call {\n  subject text\n  due datetime\n  done bool\n}\n"
  "model plain {\n  title text\n}\n"
  "list vips \"V\" {\n  target contact\n}\n"
  "campaign c \"C\" {\n  target contact\n"
  "  action a {\n"
  "    set(score, 7)\n"
  "    add_tag(\"vip\")\n"
  "    create(call, subject: \"Call {{ name }}\", due: now + 1 day)\n"
  "    add_to_list(vips)\n"
  "    note(\"hello\")\n"
  "    webhook(\"https://hooks.example/x\", source: \"camp\", score: score)\n"
  "  }\n}\n"
  "campaign p \"P\" {\n  target plain\n  action b {\n    add_tag(\"x\")\n  }\n}\n";

static Value text(const char *s) { Value v = { .tag = VAL_TEXT }; v.u.s = s; v.len = (uint32_t)strlen(s); return v; }
static Value num(int64_t i) { Value v = { .tag = VAL_INT }; v.u.i = i; return v; }
static Value null(void) { Value v = { 0 }; return v; }

static int native(const char *name) {
  for (int i = 0; i < campNativeCount; i++) if (!strcmp(campNatives[i].name, name)) return i;
  return -1;
}

static Program *prog;
static uint32_t contact, call;
static Value rec[6];                            /* id name email phone tags score */

static ActionCtx ctxFor(uint32_t model, const Value *fields) {
  ActionCtx c = { prog, model, fields, fields[0].u.i, model == contact ? 2 : -1, model == contact ? 3 : -1, NOW };
  return c;
}

static void resetRecord(const char *tags, const char *email, const char *phone) {
  rec[0] = num(42);
  rec[1] = text("Ann");
  rec[2] = email ? text(email) : null();
  rec[3] = phone ? text(phone) : null();
  rec[4] = tags ? text(tags) : null();
  rec[5] = num(3);
}

/* The tags text add_tag (add) or remove_tag leaves, or "(error: ...)". */
static char tagsOut[256];
static const char *tags(const char *cur, const char *tag, int add) {
  resetRecord(cur, "a@x.org", NULL);
  ActionCtx c = ctxFor(contact, rec);
  Value arg = text(tag);
  Effect fx;
  char err[160];
  if (campActionRun(&c, native(add ? "add_tag" : "remove_tag"), &arg, 1, &fx, err, sizeof err) < 0)
    snprintf(tagsOut, sizeof tagsOut, "(error: %s)", err);
  else if (fx.kind != EFFECT_TAGS || strcmp(fx.u.set.field, "tags") || fx.u.set.value.tag != VAL_TEXT)
    snprintf(tagsOut, sizeof tagsOut, "(wrong effect)");
  else
    snprintf(tagsOut, sizeof tagsOut, "%.*s", (int)fx.u.set.value.len, fx.u.set.value.u.s);
  campActionEffectFree(&fx);
  return tagsOut;
}

static void testTags(void) {
  CHECK_EQ_STR(tags("a,b", "c", 1), "a,b,c");
  CHECK_EQ_STR(tags("a,b", "B", 1), "a,b");                  /* already there, any case */
  CHECK_EQ_STR(tags("a,b,a", "a", 1), "a,b,a");              /* duplicates stay as they are */
  CHECK_EQ_STR(tags(NULL, "vip", 1), "vip");
  CHECK_EQ_STR(tags("", "vip", 1), "vip");
  CHECK_EQ_STR(tags(" a , ,b ", "c", 1), "a,b,c");           /* spaces and empty tags dropped */
  CHECK_EQ_STR(tags("a,b", "", 1), "a,b");                   /* an empty tag is not added */
  CHECK_EQ_STR(tags("a,B,c", "b", 0), "a,c");
  CHECK_EQ_STR(tags("a,b,a", "A", 0), "b");                  /* every copy removed */
  CHECK_EQ_STR(tags("a", "a", 0), "");
  CHECK_EQ_STR(tags(NULL, "a", 0), "");
  CHECK_EQ_STR(tags("ab,a", "a", 0), "ab");                  /* whole tags only */

  /* a model without a tags field: the kind is known, the action fails */
  Value plain[2] = { num(5), text("T") };
  uint32_t pm = campProgramFindCampaign(prog, "p");
  ActionCtx c = ctxFor(prog->camps[pm].model, plain);
  Value arg = text("x");
  Effect fx;
  char err[160];
  CHECK_EQ_INT(campActionRun(&c, native("add_tag"), &arg, 1, &fx, err, sizeof err), -1);
  CHECK_EQ_INT(fx.kind, EFFECT_TAGS);
  CHECK_EQ_STR(err, "model 'plain' has no tags field");
  campActionEffectFree(&fx);
}

static void testSet(void) {
  resetRecord("a", "a@x.org", NULL);
  ActionCtx c = ctxFor(contact, rec);
  Value args[2] = { num((int64_t)campProgramFindField(prog, contact, "score")), num(9) };
  Effect fx;
  char err[160];
  CHECK_EQ_INT(campActionRun(&c, native("set"), args, 2, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.kind, EFFECT_SET);
  CHECK_EQ_STR(fx.model, "contact");
  CHECK_EQ_INT(fx.record, 42);
  CHECK_EQ_STR(fx.u.set.field, "score");
  CHECK_EQ_INT(fx.u.set.value.tag, VAL_INT);
  CHECK_EQ_INT(fx.u.set.value.u.i, 9);
  CHECK(fx.owned == NULL);
  campActionEffectFree(&fx);
  args[0] = num(99);                                         /* a field the image does not have */
  CHECK_EQ_INT(campActionRun(&c, native("set"), args, 2, &fx, err, sizeof err), -1);
  campActionEffectFree(&fx);
}

static void testOptOutListNote(void) {
  Effect fx;
  char err[160];
  resetRecord(NULL, "a@x.org", "+33600000000");
  ActionCtx c = ctxFor(contact, rec);
  CHECK_EQ_INT(campActionRun(&c, native("opt_out"), NULL, 0, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.kind, EFFECT_OPT_OUT);
  CHECK_EQ_STR(fx.u.optOut.email.u.s, "a@x.org");
  CHECK_EQ_STR(fx.u.optOut.phone.u.s, "+33600000000");
  CHECK_EQ_INT(fx.at, NOW);
  resetRecord(NULL, NULL, "+33600000000");
  CHECK_EQ_INT(campActionRun(&c, native("opt_out"), NULL, 0, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.u.optOut.email.tag, VAL_NULL);
  CHECK_EQ_INT(fx.u.optOut.phone.tag, VAL_TEXT);
  resetRecord(NULL, "", NULL);                               /* an empty address is none */
  CHECK_EQ_INT(campActionRun(&c, native("opt_out"), NULL, 0, &fx, err, sizeof err), -1);
  CHECK_EQ_STR(err, "the record has no address to suppress");

  Value list = num(0);
  CHECK_EQ_INT(campActionRun(&c, native("remove_from_list"), &list, 1, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.kind, EFFECT_LIST);
  CHECK_EQ_STR(fx.u.list.list, "vips");
  CHECK_EQ_INT(fx.u.list.add, 0);
  list = num(5);
  CHECK_EQ_INT(campActionRun(&c, native("add_to_list"), &list, 1, &fx, err, sizeof err), -1);

  Value note = text("called, no answer");
  CHECK_EQ_INT(campActionRun(&c, native("note"), &note, 1, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.kind, EFFECT_NOTE);
  CHECK_EQ_STR(fx.u.note.text.u.s, "called, no answer");
  CHECK_EQ_STR(fx.model, "contact");
}

static void testCreate(void) {
  resetRecord(NULL, "a@x.org", NULL);
  ActionCtx c = ctxFor(contact, rec);
  Value args[5] = { num(call), num((int64_t)campProgramFindField(prog, call, "due")), num(NOW + 86400),
                    num((int64_t)campProgramFindField(prog, call, "subject")), text("Call Ann") };
  Effect fx;
  char err[160];
  CHECK_EQ_INT(campActionRun(&c, native("create"), args, 5, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.kind, EFFECT_CREATE);
  CHECK_EQ_STR(fx.model, "call");
  CHECK_EQ_INT(fx.u.create.n, 2);
  CHECK_EQ_STR(fx.u.create.fields[0], "due");                /* in call order */
  CHECK_EQ_STR(fx.u.create.fields[1], "subject");
  CHECK_EQ_INT(fx.u.create.values[0].u.i, NOW + 86400);
  CHECK_EQ_STR(fx.u.create.values[1].u.s, "Call Ann");
  campActionEffectFree(&fx);
  CHECK_EQ_INT(campActionRun(&c, native("create"), args, 1, &fx, err, sizeof err), 0);   /* defaults only */
  CHECK_EQ_INT(fx.u.create.n, 0);
  campActionEffectFree(&fx);
  args[0] = num(17);
  CHECK_EQ_INT(campActionRun(&c, native("create"), args, 1, &fx, err, sizeof err), -1);
  campActionEffectFree(&fx);
}

static void testWebhook(void) {
  resetRecord("a", "a@x.org", NULL);
  rec[1] = text("Ann \"the\" <b>\\\n\xc3\xa9");
  ActionCtx c = ctxFor(contact, rec);
  Value items[2] = { num(1), text("two") };
  Value list = { .tag = VAL_LIST, .len = 2 };
  list.u.items = items;
  Value when = { .tag = VAL_TIME };
  when.u.i = NOW;
  Value args[7] = { text("https://hooks.example/x"), text("quote\"d"), text("a\"b\n\t</script>"),
                    text("at"), when, text("l"), list };
  Effect fx;
  char err[160];
  CHECK_EQ_INT(campActionRun(&c, native("webhook"), args, 7, &fx, err, sizeof err), 0);
  CHECK_EQ_INT(fx.kind, EFFECT_WEBHOOK);
  CHECK_EQ_STR(fx.u.webhook.url.u.s, "https://hooks.example/x");
  CHECK_EQ_STR(fx.u.webhook.values, "{\"quote\\\"d\":\"a\\\"b\\n\\t</script>\",\"at\":\"2026-01-05T09:00:00Z\",\"l\":[1,\"two\"]}");

  uint32_t camp = campProgramFindCampaign(prog, "c");
  uint32_t act = campProgramFindActivity(prog, camp, "a");
  char *body = campActionWebhookBody(prog, camp, act, rec, fx.u.webhook.values);
  CHECK_EQ_STR(body, "{\"campaign\":\"c\",\"activity\":\"a\",\"model\":\"contact\","
                     "\"record\":{\"id\":42,\"name\":\"Ann \\\"the\\\" <b>\\\\\\n\xc3\xa9\",\"email\":\"a@x.org\",\"phone\":null,"
                     "\"tags\":\"a\",\"score\":3},"
                     "\"values\":{\"quote\\\"d\":\"a\\\"b\\n\\t</script>\",\"at\":\"2026-01-05T09:00:00Z\",\"l\":[1,\"two\"]}}");
  free(body);
  body = campActionWebhookBody(prog, camp, act, rec, "not json");   /* values lost: {} */
  CHECK(body && strstr(body, "\"values\":{}"));
  free(body);
  campActionEffectFree(&fx);

  args[0] = text("ftp://hooks.example/x");
  CHECK_EQ_INT(campActionRun(&c, native("webhook"), args, 1, &fx, err, sizeof err), -1);
  CHECK_EQ_STR(err, "webhook: 'ftp://hooks.example/x' is not an http(s) URL");
  args[0] = null();
  CHECK_EQ_INT(campActionRun(&c, native("webhook"), args, 1, &fx, err, sizeof err), -1);
  CHECK_EQ_STR(err, "webhook: the URL is null");
}

/* A host that records the effects of a compiled action block. */
typedef struct Recorder { ActionCtx c; int n; EffectKind kinds[16]; char what[16][160]; } Recorder;

static int recordAction(VmHost *h, int nat, const Value *args, int argc, char *err, size_t errSize) {
  Recorder *r = h->ctx;
  Effect fx;
  if (campActionRun(&r->c, nat, args, argc, &fx, err, errSize) < 0) { campActionEffectFree(&fx); return -1; }
  if (r->n < 16) {
    char *w = r->what[r->n];
    switch (fx.kind) {
    case EFFECT_SET: case EFFECT_TAGS:
      snprintf(w, 160, "%s=%.*s", fx.u.set.field, fx.u.set.value.tag == VAL_TEXT ? (int)fx.u.set.value.len : 0,
               fx.u.set.value.tag == VAL_TEXT ? fx.u.set.value.u.s : "");
      if (fx.u.set.value.tag == VAL_INT) snprintf(w, 160, "%s=%lld", fx.u.set.field, (long long)fx.u.set.value.u.i);
      break;
    case EFFECT_CREATE:
      snprintf(w, 160, "%s(%d:%s=%.*s,%s)", fx.model, fx.u.create.n, fx.u.create.fields[0], (int)fx.u.create.values[0].len,
               fx.u.create.values[0].u.s, fx.u.create.fields[1]);
      break;
    case EFFECT_LIST: snprintf(w, 160, "%s%s", fx.u.list.add ? "+" : "-", fx.u.list.list); break;
    case EFFECT_NOTE: snprintf(w, 160, "note %.*s", (int)fx.u.note.text.len, fx.u.note.text.u.s); break;
    case EFFECT_WEBHOOK: snprintf(w, 160, "%s", fx.u.webhook.values); break;
    default: snprintf(w, 160, "kind %d", fx.kind);
    }
    r->kinds[r->n++] = fx.kind;
  }
  campActionEffectFree(&fx);
  return 0;
}

static void testCompiledBlock(void) {
  resetRecord("old", "a@x.org", NULL);
  uint32_t camp = campProgramFindCampaign(prog, "c");
  const ProgActivity *a = &prog->acts[campProgramFindActivity(prog, camp, "a")];
  Recorder r = { ctxFor(contact, rec), 0, { 0 }, { { 0 } } };
  VmHost host = { .ctx = &r, .action = recordAction };
  VmRecord vr = { contact, 6, rec };
  Vm *vm = campVmNew();
  Value out;
  char err[200] = "";
  CHECK_EQ_INT(campVmRun(vm, prog, a->actions, &vr, NOW, &host, &out, err, sizeof err), 0);
  campVmFree(vm);
  CHECK_EQ_INT(r.n, 6);
  CHECK_EQ_STR(r.what[0], "score=7");
  CHECK_EQ_STR(r.what[1], "tags=old,vip");
  CHECK_EQ_STR(r.what[2], "call(2:subject=Call Ann,due)");
  CHECK_EQ_STR(r.what[3], "+vips");
  CHECK_EQ_STR(r.what[4], "note hello");
  CHECK_EQ_STR(r.what[5], "{\"source\":\"camp\",\"score\":3}");
}

/* Every ACT row names a function of the actions' signature: taking its
** address here needs the declaration (actions.h, a compile error when the
** signature differs) and the definition (a link error when it is missing)
** -- the check is that this file builds.  And campActionRun dispatches
** every ACT row, and no other. */
static void testTable(void) {
  int rows = 0;
#define CHECK_FN(cfunc)
#define CHECK_FLT(cfunc)
#define CHECK_ACT(cfunc) { int (*f)(const ActionCtx *, const Value *, int, Effect *, char *, size_t) = cfunc; CHECK(f != NULL); rows++; }
#define NATIVE(name, kind, result, params, cfunc, doc) CHECK_##kind(cfunc)
#include "stdlib/natives.def"
#undef NATIVE
  CHECK_EQ_INT(rows, 9);
  resetRecord(NULL, NULL, NULL);
  ActionCtx c = ctxFor(contact, rec);
  int acts = 0;
  for (int i = 0; i < campNativeCount; i++) {
    Effect fx;
    char err[160] = "";
    Value args[2] = { num(0), text("x") };
    int rc = campActionRun(&c, i, args, 2, &fx, err, sizeof err);
    int unavailable = rc < 0 && strstr(err, "is not available in this runtime") != NULL;
    CHECK_EQ_INT(unavailable, campNatives[i].kind != NATIVE_ACT);
    acts += campNatives[i].kind == NATIVE_ACT && fx.kind != EFFECT_NONE;
    campActionEffectFree(&fx);
  }
  CHECK_EQ_INT(acts, 9);
  Effect fx;
  char err[160];
  CHECK_EQ_INT(campActionRun(&c, campNativeCount, NULL, 0, &fx, err, sizeof err), -1);
  CHECK_EQ_INT(campActionRun(&c, native("lower"), NULL, 0, &fx, err, sizeof err), -1);
  CHECK_EQ_STR(err, "action 'lower' is not available in this runtime");
}

int main(void) {
  prog = testCompileSource("t.camp", SOURCE);
  CHECK(prog != NULL);
  if (!prog) return TEST_END();
  contact = prog->camps[campProgramFindCampaign(prog, "c")].model;
  call = 0;
  while (call < prog->nmodel && strcmp(prog->str[prog->models[call].name], "call")) call++;
  CHECK(call < prog->nmodel);
  testTable();
  testSet();
  testTags();
  testOptOutListNote();
  testCreate();
  testWebhook();
  testCompiledBlock();
  campProgramFree(prog);
  return TEST_END();
}
