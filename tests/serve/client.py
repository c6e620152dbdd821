"""tests/serve/client.py -- the HTTP side of tests/suite_serve.sh (runs under
/usr/bin/python3; standard library only).

  client.py tokens MAILDIR           one line per message: recipient message-id open redirect... unsubscribe
                                     (files are named by Message-ID, so their order says nothing:
                                     the suite picks a message by its recipient)
  client.py forge HOST PORT TOKEN    thousands of forged and mutated tokens against /o/, /r/, /u/:
                                     prints how many got anything but 404
  client.py hits HOST PORT URL N     N keep-alive GETs of URL; prints how many got 200
  client.py garbage HOST PORT        malformed requests over raw sockets; prints how many were answered
  client.py chrome DRIVERPORT URL    headless Chromium (through chromedriver) opens URL, clicks
                                     #confirm, prints the page's heading
  client.py hook URL SECRET BODY [AGE]
                                     POST BODY to a webhook URL signed as camp serve expects
                                     (X-Camp-Timestamp: now - AGE seconds, X-Camp-Signature:
                                     sha256=HMAC(SECRET, "TIMESTAMP.BODY")); SECRET "-" sends no
                                     signature; prints the status and the answer on one line
  client.py token SECRET KIND TRACE [LINK]
                                     the token camp would make for (KIND, TRACE, LINK) under SECRET
"""
import base64, email, email.policy, glob, hashlib, hmac, http.client, json, os, random, re, socket, struct, sys, time
import urllib.error, urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from webdriver import session

def tokens(maildir):
    for path in sorted(glob.glob(os.path.join(maildir, "*.eml"))):
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        html = m.get_body(("html",)).get_content()
        opens = re.findall(r'src="(http://[^"]+/o/[^"]+)"', html)
        redirects = []
        for u in re.findall(r"href='(http://[^']+/r/[^']+)'", html) + re.findall(r'href="(http://[^"]+/r/[^"]+)"', html):
            if u not in redirects:
                redirects.append(u)
        unsub = m["List-Unsubscribe"].strip("<>")
        print(m["To"].addresses[0].addr_spec, m["Message-ID"].strip("<>"), opens[0], " ".join(redirects), unsub)

def status(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("Location")

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

def forge(host, port, token):
    rng = random.Random(7)
    cands = set()
    for i in range(len(token)):                       # every single-character change
        for c in ALPHABET:
            if c != token[i]:
                cands.add(token[:i] + c + token[i + 1:])
    for n in range(len(token)):                       # truncations
        cands.add(token[:n])
    for c in "A_-9":                                  # extensions
        cands.add(token + c)
        cands.add(c + token)
    for _ in range(1000):                             # random tokens of the right length and others
        cands.add("".join(rng.choice(ALPHABET) for _ in range(rng.choice([len(token), len(token) - 1, 16, 43]))))
    cands.discard(token)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    bad = tried = 0
    for t in sorted(cands):
        for kind in ("o", "r", "u"):
            s, loc = status(conn, "GET", "/%s/%s" % (kind, t))
            tried += 1
            if s != 404:
                bad += 1
                print("not 404: /%s/%s -> %d %s" % (kind, t, s, loc), file=sys.stderr)
    print(tried, bad)

def hits(host, port, url, n):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    ok = 0
    for _ in range(n):
        s, _loc = status(conn, "GET", url)
        ok += s == 200
    print(ok)

def garbage(host, port):
    answered = 0
    payloads = [b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                b"GET /o/" + b"A" * 200000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /o/x HTTP/1.1\r\n" + b"X-Big: " + b"B" * 100000 + b"\r\n\r\n",
                b"POST /hooks/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                b"POST /u/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                b"\r\n\r\n\r\n"]
    for p in payloads:
        s = socket.create_connection((host, port), timeout=5)
        try:
            s.sendall(p)
            s.shutdown(socket.SHUT_WR)
            data = s.recv(200)
            answered += bool(data)
        except OSError:
            pass
        finally:
            s.close()
    print(answered)

def chrome(driverPort, url):
    with session(driverPort) as (call, s):
        call("POST", s + "/url", {"url": url})
        el = call("POST", s + "/element", {"using": "css selector", "value": "#confirm"})
        eid = list(el.values())[0]
        def heading():
            h1 = call("POST", s + "/element", {"using": "css selector", "value": "h1"})
            return call("GET", s + "/element/%s/text" % list(h1.values())[0])
        before = heading()
        call("POST", s + "/element/%s/click" % eid, {})
        # the click submits a form: wait for the next page (the old one's elements go stale meanwhile)
        after, deadline = before, time.time() + 30
        while after == before and time.time() < deadline:
            time.sleep(0.1)
            try:
                after = heading()
            except urllib.error.HTTPError:
                pass
        print(after)

def hook(url, secret, body, age="0"):
    ts = str(int(time.time()) - int(age))
    headers = {"Content-Type": "application/json", "X-Camp-Timestamp": ts}
    if secret != "-":
        mac = hmac.new(secret.encode(), (ts + "." + body).encode(), hashlib.sha256).hexdigest()
        headers["X-Camp-Signature"] = "sha256=" + mac
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            print(r.status, r.read().decode().strip())
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode().strip())

def token(secret, kind, trace, link="0"):
    # runtime/track.c: kind(1) trace(8, little-endian) link(4) signed; the kind is not sent
    payload = struct.pack("<QI", int(trace), int(link))
    mac = hmac.new(secret.encode(), kind.encode() + payload, hashlib.sha256).digest()[:12]
    print(base64.urlsafe_b64encode(payload + mac).decode().rstrip("="))

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "tokens": tokens(*args)
    elif cmd == "forge": forge(args[0], int(args[1]), args[2])
    elif cmd == "hits": hits(args[0], int(args[1]), args[2], int(args[3]))
    elif cmd == "garbage": garbage(args[0], int(args[1]))
    elif cmd == "chrome": chrome(*args)
    elif cmd == "hook": hook(*args)
    elif cmd == "token": token(*args)
