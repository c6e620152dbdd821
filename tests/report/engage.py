"""tests/report/engage.py -- synthetic engagement for tests/suite_report.sh
(runs under /usr/bin/python3; standard library only).

  engage.py < MESSAGE-IDS > EVENTS.jsonl

For each Message-ID on stdin (one a line), a draw fixed by the ID decides
what its reader does, as `camp event --file` lines: 5% bounce, else 50%
open, of which half click (one of three URLs, one of them full of
characters HTML must escape, one not a web link), of which a fifth reply;
one opener in ten unsubscribes.
"""
import hashlib, json, sys

URLS = ["https://example.com/shop?utm_source=test", "https://example.com/offer?a=1&b=2\"<x>'", "javascript:alert('x')"]

for line in sys.stdin:
    mid = line.strip()
    if not mid:
        continue
    h = hashlib.sha256(mid.encode()).digest()
    draw = lambda k: h[k] / 256.0
    ev = lambda kind, **more: print(json.dumps(dict({"event": kind, "message_id": mid}, **more)))
    if draw(0) < 0.05:
        ev("bounce"); continue
    if draw(1) >= 0.5:
        continue
    if draw(2) < 0.5:
        ev("click", url=URLS[h[3] % 3])
        if draw(4) < 0.2:
            ev("reply")
    else:
        ev("open")
    if draw(5) < 0.1:
        ev("unsubscribe")
