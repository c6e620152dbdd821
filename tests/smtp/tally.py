#!/usr/bin/python3
# tests/smtp/tally.py -- what arrived at tests/smtp/server.py, counted for
# tests/suite_concurrency.sh.
#
#   tally.py MAILDIR
#
# Prints one line: "messages M distinct_ids I pairs P dup_ids D dup_pairs Q
# max_copies C mixed X" where a pair is (recipient, activity) -- the
# activity is the Subject's first word -- dup_ids counts messages beyond the
# first of each Message-ID, dup_pairs messages beyond the first of each
# pair, and mixed the pairs that arrived under more than one Message-ID
# (a resend after a crash must reuse its Message-ID: mixed must be 0).
import collections, email.parser, glob, json, os, sys

maildir = sys.argv[1]
ids = collections.Counter()
pairs = collections.Counter()
pair_ids = collections.defaultdict(set)
n = 0
for path in glob.glob(os.path.join(maildir, "*.eml")):
    with open(path, "rb") as f:
        msg = email.parser.BytesHeaderParser().parse(f)     # the headers are all it needs
    env = json.load(open(path[:-4] + ".env"))
    mid = str(msg["Message-ID"]).strip()
    pair = (env["rcpt_tos"][0].lower(), str(msg["Subject"]).split(" ")[0])
    ids[mid] += 1
    pairs[pair] += 1
    pair_ids[pair].add(mid)
    n += 1
print("messages %d distinct_ids %d pairs %d dup_ids %d dup_pairs %d max_copies %d mixed %d" % (
    n, len(ids), len(pairs), n - len(ids), n - len(pairs), max(pairs.values(), default=0),
    sum(1 for p in pair_ids.values() if len(p) > 1)))
