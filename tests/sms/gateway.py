"""tests/sms/gateway.py -- an SMS gateway and webhook target on 127.0.0.1
for tests/suite_sms.sh (/usr/bin/python3, standard library only).

  gateway.py DIR     listens on a free port, writes it to DIR/port, and
                     appends every request to DIR/requests.jsonl as
                     {"path", "authorization", "content_type", "body"}.

  gateway.py find DIR PATH KEY=VALUE FIELD
                     prints FIELD of the requests to PATH whose JSON body has
                     KEY equal to VALUE (KEY and FIELD are dotted paths;
                     FIELD "body.x.y" looks inside the JSON body, any other
                     FIELD is a request attribute), one line per request,
                     in the order they arrived.  The gateway answers
                     requests on several connections at once, so which one
                     arrives first says nothing: tests pick requests by what
                     they carry, never by their position.
  gateway.py count DIR PATH [KEY=VALUE]
                     how many requests to PATH (with that body value) arrived

How it answers depends on the request: a body (the SMS text or the webhook's
record) that contains
  "once503"  503 the first time, then 200
  "bad400"   400 {"error": "invalid number"} every time
  "hold"     200, once the file DIR/release exists (20 s at most): a test
             can look at the client's side while the request is pending
  anything else: 200 {"status": "queued"}
A request is appended to requests.jsonl before it is answered, so once the
client has its answer the request is in the file.
"""
import http.server, json, os, sys, threading


def dig(v, path):
    for k in path.split(".") if path else []:
        v = v.get(k) if isinstance(v, dict) else None
    return v


def requests(d, path, sel=None):
    rows = []
    with open(os.path.join(d, "requests.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["path"] != path:
                continue
            try:
                r["json"] = json.loads(r["body"])
            except ValueError:
                r["json"] = None
            if sel:
                key, want = sel.split("=", 1)
                got = dig(r["json"], key)
                if got is None or str(got) != want:
                    continue
            rows.append(r)
    return rows


def show(v):
    return json.dumps(v) if isinstance(v, (dict, list)) else str(v)


if sys.argv[1] == "find":
    d, path, sel, field = sys.argv[2:6]
    for r in requests(d, path, sel):
        print(show(dig(r["json"], field[5:]) if field.startswith("body.") else r.get(field)))
    sys.exit(0)
if sys.argv[1] == "count":
    print(len(requests(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)))
    sys.exit(0)

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
        if "hold" in key:
            for _ in range(200):
                if os.path.exists(os.path.join(DIR, "release")):
                    break
                threading.Event().wait(0.1)
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
