/*
** compiler/arena.h -- bump allocation for one compilation.
**
** Owns: handing out memory that lives until campArenaFree.  Does not own:
** anything that outlives a compilation (the bytecode image).
*/
#ifndef CAMP_ARENA_H
#define CAMP_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena { ArenaBlock *head, *spare; size_t used, cap; } Arena;

void campArenaInit(Arena *a);
/* Zeroed memory aligned for any type; aborts with a message on out of memory
** (a compiler that cannot allocate a few KB has nothing useful to say). */
void *campArenaAlloc(Arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *campArenaStrndup(Arena *a, const char *s, size_t n);
/* Forget every allocation but keep the blocks for reuse (one arena serves
** many compilations without going back to the system each time). */
void campArenaReset(Arena *a);
void campArenaFree(Arena *a);

#endif
