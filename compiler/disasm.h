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

/* An activity's delay with its calendar parts: 1mo, 2d, 1w, 3h, "1mo 2d 3h"; 0 for none. */
void campDisasmDelay(const ProgActivity *a, char *buf, size_t n);

/* A send window: "08:00-20:00" (every day), "08:00-20:00 mon-fri", "22:00-06:00 mon,wed,fri-sun". */
void campDisasmWindow(const ProgWindow *w, char *buf, size_t n);

/* A share in basis points: 50%, 12.5%, 6.67%. */
void campDisasmShare(uint32_t bp, char *buf, size_t n);

#endif
