/*
** tests/fuzz/fuzz_image.c -- libFuzzer target over the image loader: any
** bytes are loaded; an image that loads is disassembled and every filter
** and template block runs against a record of nulls.  The loader must
** reject damage with a message and never read out of bounds.
*/
#include "run_blocks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  Program *p = campProgramLoad(data, size, err, sizeof err);
  if (!p) return 0;
  fuzzRunBlocks(p);
  campProgramFree(p);
  return 0;
}
