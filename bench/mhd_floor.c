/*
** bench/mhd_floor.c -- the baseline of bench/serve.sh: a bare libmicrohttpd
** server answering every request with the same 1x1 GIF, with the threading
** camp serve uses (internal epoll thread pool).  Usage: mhd_floor PORT THREADS
** (runs until killed).  Not part of camp.
*/
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const unsigned char gif[] = {
  'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0,
  0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b
};
static struct MHD_Response *response;

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *uploadSize, void **state) {
  (void)cls; (void)url; (void)method; (void)version; (void)upload; (void)uploadSize;
  static int marker;
  if (!*state) { *state = &marker; return MHD_YES; }     /* as camp serve: answer on the second call */
  return MHD_queue_response(c, MHD_HTTP_OK, response);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  response = MHD_create_response_from_buffer(sizeof gif, (void *)gif, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(response, "Content-Type", "image/gif");
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)atoi(argv[1]), NULL, NULL,
                                          handle, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]), MHD_OPTION_END);
  if (!d) return 1;
  for (;;) pause();
}
