/*
** compiler/disasm.h -- the bytecode listing (`camp disasm`).
*/
#ifndef CAMP_DISASM_H
#define CAMP_DISASM_H

#include <stdio.h>
#include "runtime/program.h"

/* Print a stable, diff-friendly listing of p. */
void campDisasm(const Program *p, FILE *out);

#endif
