"""tests/website/site.py -- the loopback test website of tests/suite_website.sh
(standard library only; runs under /usr/bin/python3).

  site.py DIR PORTFILE     serve DIR on 127.0.0.1 at a free port, written to PORTFILE

Another origin than camp serve's (its own port).  A path without an
extension that is not a file is served as PATH.js, so the npm tracker's ES
modules (which import './MatomoTracker') load as they are.  Pages are never
cached, so each load runs its tracker again.
"""
import functools, http.server, os, sys

class Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path):
        p = super().translate_path(path)
        if not os.path.exists(p) and os.path.exists(p + ".js"):
            return p + ".js"
        return p

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass

def main():
    root, portfile = sys.argv[1], sys.argv[2]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()

if __name__ == "__main__":
    main()
