/*
** tests/unit/test_program.c -- images: compile, save, load, reject damage.
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/opcodes.h"
#include "runtime/program.h"
#include "source.h"
#include "test.h"

static const char *src =
  "model contact {\n  name text\n  email email\n  score int\n  tags tags\n}\n"
  "campaign c \"C\" {\n  target contact\n  where email is set and score >= 3 or \"vip\" in tags\n"
  "  email hello after 2 hours {\n    subject \"Hi {{ name | default: 'you' }}\"\n    body \"<p>x</p>\"\n"
  "    on click within 3 days { action t { add_tag(\"hot\") set(score, score + 1) } }\n  }\n}\n";

/* a model that declares its opt-out field */
static const char *srcOptOut =
  "model contact {\n  email email\n  opt_out bool\n  optout opt_out\n}\n"
  "campaign c \"C\" {\n  target contact\n  email hello {\n    subject \"x\"\n    body \"y\"\n  }\n}\n";

static uint8_t *compile(size_t *len) { return testCompileImage(src, len); }

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
  return TEST_END();
}
