/*
** tests/fuzz/fuzz_image.c -- libFuzzer targets over the image loader: any
** bytes are loaded; an image that loads is disassembled and every filter
** and template block runs against a record of nulls.  The loader must
** reject damage with a message and never read out of bounds.
**
** Two targets from this file (tests/suite_fuzz.sh builds both):
**   fuzz_image       the bytes as they are: exercises the header checks,
**                    but nearly every mutation dies at the SHA-256 check
**   fuzz_image_hash  (-DFUZZ_FIX_HASH) the header is made right first --
**                    magic, version, body length, SHA-256 of the body --
**                    so every mutation of the body reaches the table and
**                    code validation, the disassembler and the VM, as an
**                    attacker's image with a recomputed hash would
** Seeds: images compiled from examples/ (tests/suite_fuzz.sh, make fuzz-corpus).
*/
#include <stdlib.h>
#include <openssl/evp.h>
#include "run_blocks.h"

#define HEADER_LEN (8 + 4 + 32 + 4)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_FIX_HASH
/* A copy of data whose header is right for its body (malloc'd), or NULL. */
static uint8_t *sealed(const uint8_t *data, size_t size) {
  if (size < HEADER_LEN || size - HEADER_LEN > UINT32_MAX) return NULL;
  uint8_t *img = malloc(size);
  if (!img) return NULL;
  memcpy(img, data, size);
  uint32_t body = (uint32_t)(size - HEADER_LEN), version = CAMP_IMAGE_VERSION;
  memcpy(img, CAMP_IMAGE_MAGIC, 8);
  for (int k = 0; k < 4; k++) {
    img[8 + k] = (uint8_t)(version >> (8 * k));
    img[44 + k] = (uint8_t)(body >> (8 * k));
  }
  unsigned len = 32;
  EVP_Digest(img + HEADER_LEN, body, img + 12, &len, EVP_sha256(), NULL);
  return img;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
#ifdef FUZZ_FIX_HASH
  uint8_t *img = sealed(data, size);
  if (!img) return 0;
  Program *p = campProgramLoad(img, size, err, sizeof err);
  free(img);
#else
  Program *p = campProgramLoad(data, size, err, sizeof err);
#endif
  if (!p) return 0;
  fuzzRunBlocks(p);
  campProgramFree(p);
  return 0;
}
