/*
** compiler/disasm.h -- the bytecode listing (`camp disasm`).
*/
#ifndef CAMP_DISASM_H
#define CAMP_DISASM_H

#include <stdio.h>
#include "runtime/program.h"

/* Print a stable, diff-friendly listing of p. */
void campDisasm(const Program *p, FILE *out);

/* A duration as 2h, 3d, 1w, 30m (0 for none). */
void campDisasmDuration(int64_t s, char *buf, size_t n);

#endif
