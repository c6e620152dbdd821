/*
** tests/fuzz/fuzz_front.c -- libFuzzer target over the whole front end:
** bytes -> parse -> resolve -> codegen -> load the image -> disasm -> run
** every filter and template against a record of nulls.  Any crash, leak or
** undefined behaviour is a bug; each one found becomes a golden test.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "compiler/disasm.h"
#include "runtime/program.h"
#include "runtime/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *devnull;
  if (!devnull) devnull = fopen("/dev/null", "w");
  Diags d;
  Unit u;
  campDiagInit(&d);
  campUnitInit(&u, &d);
  campDiagAddSource(&d, "fuzz.camp", (const char *)data, size);
  if (campCompileCheck(&u, "fuzz.camp") == 0) {
    uint8_t *img = NULL;
    size_t len = 0;
    char err[256];
    if (campCodegenUnit(&u, &img, &len, err, sizeof err) == 0) {
      Program *p = campProgramLoad(img, len, err, sizeof err);
      if (!p) { fprintf(stderr, "compiler wrote an image the loader rejects: %s\n", err); abort(); }
      campDisasm(p, devnull);
      Vm *vm = campVmNew();
      Value nulls[64];
      memset(nulls, 0, sizeof nulls);
      for (uint32_t b = 0; b < p->ncode; b++) {
        if (p->code[b].kind == CODE_ACTIONS) continue;
        VmRecord rec = { p->code[b].model, p->models[p->code[b].model].nfield < 64 ? p->models[p->code[b].model].nfield : 64, nulls };
        Value out;
        campVmRun(vm, p, b, &rec, 1767225600, NULL, &out, err, sizeof err);
      }
      campVmFree(vm);
      campProgramFree(p);
      free(img);
    }
  }
  campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, devnull);
  campDiagPrint(&d, 0, DIAGFMT_SARIF, 0, devnull);
  campUnitFree(&u);
  campDiagFree(&d);
  return 0;
}
