/*
** runtime/esp.c -- what the ESP drivers share: member lists and finding
** a driver by provider.
**
** Owns: EspMembers, campEspDriver.  Does not own: HTTP (esp_http.c) or
** either provider's API (esp_mailchimp.c, esp_dotdigital.c).
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/esp.h"

EspMember *campEspMembersAdd(EspMembers *m, size_t nfield) {
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    EspMember *v = realloc(m->v, cap * sizeof *v);
    if (!v) return NULL;
    m->v = v;
    m->cap = cap;
  }
  EspMember *x = &m->v[m->n];
  memset(x, 0, sizeof *x);
  if (nfield && !(x->values = calloc(nfield, sizeof *x->values))) return NULL;
  m->n++;
  return x;
}

void campEspMembersFree(EspMembers *m, size_t nfield) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->v[i].email);
    free(m->v[i].id);
    for (size_t f = 0; f < nfield && m->v[i].values; f++) free(m->v[i].values[f]);
    free(m->v[i].values);
  }
  free(m->v);
  memset(m, 0, sizeof *m);
}

const EspDriver *campEspDriver(int esp) {
  return esp == ESP_MAILCHIMP ? &campEspMailchimp : esp == ESP_DOTDIGITAL ? &campEspDotdigital : NULL;
}
