/*
** tests/unit/test_program.c -- images: compile, save, load, reject damage.
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/opcodes.h"
#include "runtime/program.h"
#include "test.h"
#include "compile_source.h"

static const char *src =
  "model contact {\n  name text\n  email email\n  score int\n  tags tags\n}\n"
  "campaign c \"C\" {\n  target contact\n  where email is set and score >= 3 or \"vip\" in tags\n"
  "  email hello after 2 hours {\n    subject \"Hi {{ name | default: 'you' }}\"\n    body \"<p>x</p>\"\n"
  "    on click within 3 days { action t { add_tag(\"hot\") set(score, score + 1) } }\n  }\n}\n";

/* a model that declares its opt-out field */
static const char *srcOptOut =
  "model contact {\n  email email\n  opt_out bool\n  optout opt_out\n}\n"
  "campaign c \"C\" {\n  target contact\n  email hello {\n    subject \"x\"\n    body \"y\"\n  }\n}\n";

/* a mailing to a list, beside a campaign: the model's first email field is
** field 3, so the lowered campaign's unique is found, not assumed */
static const char *srcMailing =
  "model contact {\n  name text\n  phone phone\n  email email\n  backup email\n}\n"
  "list l \"L\" {\n  target contact\n  where email is set\n}\n"
  "mailing m \"M\" {\n  to list l\n  at 2026-01-06T09:00:00Z\n  subject \"s\"\n  body \"b\"\n  from \"a@x.test\"\n}\n"
  "campaign c \"C\" {\n  target contact\n  email hello {\n    subject \"x\"\n    body \"y\"\n  }\n}\n";

static uint8_t *compile(size_t *len) { return testCompileImage("t.camp", src, len); }

int main(void) {
  size_t len = 0, len2 = 0;
  uint8_t *img = compile(&len), *img2 = compile(&len2);
  CHECK(img != NULL);
  if (!img) return TEST_END();
  CHECK(len == len2 && memcmp(img, img2, len) == 0);         /* deterministic */
  char err[256];
  Program *p = campProgramLoad(img, len, err, sizeof err);
  CHECK(p != NULL);
  if (!p) return TEST_END();
  CHECK_EQ_INT(p->nmodel, 1);
  CHECK_EQ_INT(p->models[0].nfield, 5);                      /* id + 4 */
  CHECK_EQ_STR(p->str[p->models[0].fields[2].name], "email");
  CHECK_EQ_INT(p->ncamp, 1);
  CHECK_EQ_INT(p->nact, 2);
  CHECK_EQ_INT(p->acts[1].parent, 0);
  CHECK_EQ_INT(p->acts[1].trigger, TRIG_CLICK);
  CHECK_EQ_INT(p->acts[1].window, 3 * 86400);
  CHECK_EQ_INT(p->acts[0].delay, 7200);
  CHECK(campProgramFindActivity(p, 0, "t") == 1);
  CHECK(campProgramFindField(p, 0, "score") == 3);
  /* save of a loaded program gives the same bytes */
  uint8_t *again = NULL;
  size_t againLen = 0;
  CHECK_EQ_INT(campProgramSave(p, &again, &againLen), 0);
  CHECK(againLen == len && memcmp(again, img, len) == 0);
  free(again);
  campProgramFree(p);

  /* every truncation is rejected, with a message, never a crash */
  int rejected = 0;
  for (size_t n = 0; n < len; n++) {
    Program *t = campProgramLoad(img, n, err, sizeof err);
    rejected += t == NULL && err[0] != 0;
    campProgramFree(t);
  }
  CHECK_EQ_INT(rejected, (long long)len);
  /* every single-byte change is rejected */
  int flips = 0;
  for (size_t i = 0; i < len; i++) {
    uint8_t *c = malloc(len);
    memcpy(c, img, len);
    c[i] ^= 0x5a;
    Program *t = campProgramLoad(c, len, err, sizeof err);
    flips += t == NULL;
    campProgramFree(t);
    free(c);
  }
  CHECK_EQ_INT(flips, (long long)len);
  /* a wrong version says so */
  uint8_t *v = malloc(len);
  memcpy(v, img, len);
  v[8] = 9;
  CHECK(campProgramLoad(v, len, err, sizeof err) == NULL);
  CHECK(strstr(err, "version 9") != NULL);
  free(v);

  /* a valid hash over bad code: saved with a defect, caught by validation */
  p = campProgramLoad(img, len, err, sizeof err);
  uint32_t b = p->camps[0].filter;
  uint8_t saved = p->bc[p->code[b].start];
  p->bc[p->code[b].start] = OP_COUNT_;                       /* unknown opcode */
  uint8_t *bad = NULL;
  size_t badLen = 0;
  campProgramSave(p, &bad, &badLen);
  CHECK(campProgramLoad(bad, badLen, err, sizeof err) == NULL);
  CHECK(strstr(err, "unknown opcode") != NULL);
  free(bad);
  uint8_t run[5];
  memcpy(run, p->bc + p->code[b].start, 5);
  memset(p->bc + p->code[b].start, OP_NOT, 5);              /* NOT on an empty stack */
  campProgramSave(p, &bad, &badLen);
  CHECK(campProgramLoad(bad, badLen, err, sizeof err) == NULL);
  CHECK(strstr(err, "underflow") != NULL);
  memcpy(p->bc + p->code[b].start, run, 5);
  free(bad);
  p->bc[p->code[b].start] = saved;
  uint32_t savedConst = p->nconst;
  p->nconst = 0;                                             /* constants out of range */
  campProgramSave(p, &bad, &badLen);
  CHECK(campProgramLoad(bad, badLen, err, sizeof err) == NULL);
  free(bad);
  p->nconst = savedConst;
  campProgramFree(p);
  free(img);
  free(img2);

  /* `optout opt_out` is carried in the image as the field's index */
  src = srcOptOut;
  img = compile(&len);
  CHECK(img != NULL);
  p = img ? campProgramLoad(img, len, err, sizeof err) : NULL;
  CHECK(p != NULL);
  if (p) CHECK_EQ_INT(p->models[0].optOut, 2);
  campProgramFree(p);
  free(img);

  /* a mailing is compiled to the campaign the runtime runs, after the
  ** campaigns, its one email after their activities */
  src = srcMailing;
  img = compile(&len);
  CHECK(img != NULL);
  p = img ? campProgramLoad(img, len, err, sizeof err) : NULL;
  CHECK(p != NULL);
  if (!p) { free(img); return TEST_END(); }
  CHECK_EQ_INT(p->ncamp, 2);
  CHECK_EQ_INT(p->nact, 2);
  const ProgCampaign *c = &p->camps[0], *m = &p->camps[1];
  CHECK(!c->isMailing && c->list == CAMP_NONE && c->at == 0);
  CHECK_EQ_STR(p->str[m->name], "m");
  CHECK(m->isMailing && m->list == 0 && m->at == 1767690000);
  CHECK(m->model == 0 && m->filter == CAMP_NONE && p->lists[0].filter != CAMP_NONE);   /* the scheduler reads the list */
  CHECK_EQ_INT(m->unique, 3);
  CHECK(m->code == CAMP_NONE && m->firstAct == 1 && m->nact == 1);
  const ProgActivity *a = &p->acts[1];
  CHECK(a->campaign == 1 && a->kind == ACT_EMAIL && a->trigger == TRIG_BEGIN && a->parent == CAMP_NONE);
  CHECK(a->subject != CAMP_NONE && a->body != CAMP_NONE && a->from != CAMP_NONE && a->text == CAMP_NONE);
  CHECK(a->delay == 0 && a->filter == CAMP_NONE && a->actions == CAMP_NONE);
  CHECK_EQ_INT(campProgramFindCampaign(p, "m"), 1);
  CHECK(campProgramSave(p, &again, &againLen) == 0 && againLen == len && memcmp(again, img, len) == 0);
  free(again);
  /* the loader refuses mailing fields the runtime would trust */
  static const struct { uint32_t camp, list; uint8_t isMailing; int64_t at; const char *why; } cases[] = {
    { 1, 1, 1, 1767690000, "campaign list index 1 of 1" },
    { 1, 0, 2, 1767690000, "isMailing 2" },
    { 0, 0, 0, 5, "has a time but is no mailing" },
    { 0, CAMP_NONE, 0, 5, "has a time but is no mailing" },
    { 1, CAMP_NONE, 1, 1767690000, "campaign list index" },
  };
  /* a campaign may go to a list (`target list NAME`) */
  {
    ProgCampaign keep = p->camps[0];
    p->camps[0].list = 0;
    uint8_t *ok = NULL;
    size_t okLen = 0;
    Program *q = NULL;
    CHECK(campProgramSave(p, &ok, &okLen) == 0 && (q = campProgramLoad(ok, okLen, err, sizeof err)) != NULL);
    CHECK(q && q->camps[0].list == 0 && q->camps[0].initiative == CAMP_NONE);
    campProgramFree(q);
    free(ok);
    p->camps[0] = keep;
  }
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ProgCampaign keep = p->camps[cases[i].camp], *x = &p->camps[cases[i].camp];
    x->list = cases[i].list; x->isMailing = cases[i].isMailing; x->at = cases[i].at;
    uint8_t *broken = NULL;
    size_t brokenLen = 0;
    CHECK(campProgramSave(p, &broken, &brokenLen) == 0);
    CHECK(campProgramLoad(broken, brokenLen, err, sizeof err) == NULL);
    if (!strstr(err, cases[i].why)) { printf("  case %u: %s\n", i, err); CHECK(0); }
    free(broken);
    *x = keep;
  }
  campProgramFree(p);
  free(img);
  return TEST_END();
}
