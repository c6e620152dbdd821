/*
** runtime/hash.h -- the one string hash: 32-bit FNV-1a.
**
** Owns: hashing bytes for the open-addressing tables of the compiler (string
** pool, source paths) and the store (statement cache, linksets).  A leaf:
** the compiler and the runtime may both include it.  Does not own: any
** table.  Not for anything an attacker must not steer into collisions.
*/
#ifndef CAMP_HASH_H
#define CAMP_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a of the n bytes at p. */
static inline uint32_t campHashFnv1a(const void *p, size_t n) {
  const unsigned char *s = p;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
  return h;
}

#endif
