"""tests/webdriver.py -- what the browser tests share: a W3C WebDriver
session on Debian's headless Chromium, through chromedriver (standard
library only; runs under /usr/bin/python3).

  with session(DRIVERPORT, extra_args, extra_caps) as (call, s): ...

call(METHOD, PATH, BODY) sends one WebDriver command and returns its
"value"; s is the session's path prefix (/session/ID).  The session is
deleted when the block ends, whatever happens in it.
"""
import contextlib, json, urllib.request

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

def driver(port, timeout=60):
    base = "http://127.0.0.1:%s" % port
    def call(method, path, body=None):
        req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)["value"]
    return call

@contextlib.contextmanager
def session(port, args=(), caps=None, timeout=60):
    call = driver(port, timeout)
    always = {"browserName": "chrome",
              "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": CHROMIUM_ARGS + list(args)}}
    always.update(caps or {})
    sid = call("POST", "/session", {"capabilities": {"alwaysMatch": always}})["sessionId"]
    try:
        yield call, "/session/%s" % sid
    finally:
        call("DELETE", "/session/%s" % sid)
