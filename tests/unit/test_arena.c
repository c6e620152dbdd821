/*
** tests/unit/test_arena.c -- the compiler's arena.
*/
#include <stdint.h>
#include <string.h>
#include "compiler/arena.h"
#include "test.h"

int main(void) {
  Arena a;
  campArenaInit(&a);
  char *prev = NULL;
  int aligned = 1, distinct = 1, zeroed = 1;
  for (int i = 1; i < 5000; i++) {
    char *p = campArenaAlloc(&a, (size_t)(i % 97) + 1);
    aligned &= ((uintptr_t)p % 16) == 0;
    for (int k = 0; k < i % 97 + 1; k++) zeroed &= p[k] == 0;
    memset(p, 0xab, (size_t)(i % 97) + 1);
    distinct &= p != prev;
    prev = p;
  }
  CHECK(aligned);
  CHECK(zeroed);
  CHECK(distinct);
  char *big = campArenaAlloc(&a, 1 << 20);                 /* larger than a block */
  CHECK(big != NULL);
  memset(big, 1, 1 << 20);
  CHECK_EQ_INT(big[(1 << 20) - 1], 1);
  char *s = campArenaStrndup(&a, "hello world", 5);
  CHECK_EQ_STR(s, "hello");
  campArenaReset(&a);                                      /* blocks kept, memory reused and zeroed */
  char *again = campArenaAlloc(&a, 64);
  int clean = 1;
  for (int k = 0; k < 64; k++) clean &= again[k] == 0;
  CHECK(clean);
  CHECK(a.spare != NULL || a.head != NULL);
  campArenaFree(&a);
  CHECK(a.head == NULL && a.spare == NULL);
  return TEST_END();
}
