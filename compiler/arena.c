/*
** compiler/arena.c -- bump allocation for one compilation.
**
** Owns: a chain of blocks, each at least 64 KiB, freed together.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/arena.h"

struct ArenaBlock { ArenaBlock *next; size_t cap; _Alignas(16) unsigned char data[]; };

void campArenaInit(Arena *a) { a->head = a->spare = NULL; a->used = a->cap = 0; }

void *campArenaAlloc(Arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (!a->head || a->used + n > a->cap) {
    size_t cap = n > 65536 ? n : 65536;
    ArenaBlock *b = a->spare;
    if (b && b->cap >= n) {
      a->spare = b->next;
      cap = b->cap;
    } else {
      b = malloc(sizeof *b + cap);
      if (!b) { fputs("camp: out of memory\n", stderr); abort(); }
    }
    b->next = a->head; b->cap = cap;
    a->head = b; a->used = 0; a->cap = cap;
  }
  void *p = a->head->data + a->used;
  a->used += n;
  memset(p, 0, n);
  return p;
}

char *campArenaStrndup(Arena *a, const char *s, size_t n) {
  char *p = campArenaAlloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

void campArenaReset(Arena *a) {
  while (a->head) {
    ArenaBlock *n = a->head->next;
    a->head->next = a->spare;
    a->spare = a->head;
    a->head = n;
  }
  a->used = a->cap = 0;
}

void campArenaFree(Arena *a) {
  campArenaReset(a);
  ArenaBlock *b = a->spare;
  while (b) { ArenaBlock *n = b->next; free(b); b = n; }
  campArenaInit(a);
}
