/*
** tests/fuzz/run_blocks.h -- what both fuzz targets do with an image that
** loaded: list it, and run every filter and template block against a
** record of nulls (actions need a host and are left out).
*/
#include <stdio.h>
#include <string.h>
#include "compiler/disasm.h"
#include "runtime/program.h"
#include "runtime/vm.h"

static void fuzzRunBlocks(Program *p) {
  static FILE *devnull;
  char err[256];
  Value nulls[64];
  if (!devnull) devnull = fopen("/dev/null", "w");
  campDisasm(p, devnull);
  Vm *vm = campVmNew();
  memset(nulls, 0, sizeof nulls);
  for (uint32_t b = 0; b < p->ncode; b++) {
    if (p->code[b].kind == CODE_ACTIONS) continue;
    uint32_t nf = p->models[p->code[b].model].nfield;
    VmRecord rec = { p->code[b].model, nf < 64 ? nf : 64, nulls };
    Value out;
    campVmRun(vm, p, b, &rec, 1767225600, NULL, &out, err, sizeof err);
  }
  campVmFree(vm);
}
