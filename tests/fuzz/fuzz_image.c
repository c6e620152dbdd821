/*
** tests/fuzz/fuzz_image.c -- libFuzzer target over the image loader: any
** bytes are loaded; an image that loads is disassembled and every filter
** and template block runs against a record of nulls.  The loader must
** reject damage with a message and never read out of bounds.
*/
#include <stdio.h>
#include <string.h>
#include "compiler/disasm.h"
#include "runtime/program.h"
#include "runtime/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *devnull;
  char err[256];
  if (!devnull) devnull = fopen("/dev/null", "w");
  Program *p = campProgramLoad(data, size, err, sizeof err);
  if (!p) return 0;
  campDisasm(p, devnull);
  Vm *vm = campVmNew();
  Value nulls[64];
  memset(nulls, 0, sizeof nulls);
  for (uint32_t b = 0; b < p->ncode; b++) {
    if (p->code[b].kind == CODE_ACTIONS) continue;
    uint32_t nf = p->models[p->code[b].model].nfield;
    VmRecord rec = { p->code[b].model, nf < 64 ? nf : 64, nulls };
    Value out;
    campVmRun(vm, p, b, &rec, 1767225600, NULL, &out, err, sizeof err);
  }
  campVmFree(vm);
  campProgramFree(p);
  return 0;
}
