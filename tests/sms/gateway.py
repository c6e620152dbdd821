"""tests/sms/gateway.py -- an SMS gateway and webhook target on 127.0.0.1
for tests/suite_sms.sh (/usr/bin/python3, standard library only).

  gateway.py DIR     listens on a free port, writes it to DIR/port, and
                     appends every request to DIR/requests.jsonl as
                     {"path", "authorization", "content_type", "body"}.

How it answers depends on the request: a body (the SMS text or the webhook's
record) that contains
  "once503"  503 the first time, then 200
  "bad400"   400 {"error": "invalid number"} every time
  anything else: 200 {"status": "queued"}
"""
import http.server, json, os, sys, threading

DIR = sys.argv[1]
seen = set()
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        key = self.path + "|" + body
        with lock:
            with open(os.path.join(DIR, "requests.jsonl"), "a") as f:
                f.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                    "content_type": self.headers.get("Content-Type"), "body": body}) + "\n")
            first = key not in seen
            seen.add(key)
        if "once503" in key and first:
            self.answer(503, {"error": "try later"})
        elif "bad400" in key:
            self.answer(400, {"error": "invalid number"})
        else:
            self.answer(200, {"status": "queued"})

    def answer(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
