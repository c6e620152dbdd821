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
#include "run_blocks.h"

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
      fuzzRunBlocks(p);
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
