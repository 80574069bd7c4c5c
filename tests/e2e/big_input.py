"""Big inputs are processed in linear time and bounded memory.

1. One line of $TM_BIG_MB MB (default 100; the sanitizer build uses less):
   a real document with its line breaks turned into spaces, then ordinary
   words. `tension ingest` stores it whole within a time and memory budget.
2. One 4 MB sentence dense with communities, themes, places, negations and
   cues (no full stop anywhere): tag and signals used to compare every
   mention with every other one of the sentence (minutes for 2 MB); the
   budget here is a few seconds' work.

The files are generated here, never committed."""
import os
import random
import sqlite3
import subprocess
import time
from common import setup, check, integrity_ok

binary, root, work = setup()
mb = int(os.environ.get("TM_BIG_MB", "100"))
slow = int(os.environ.get("TM_BIG_SLOWDOWN", "1"))  # sanitizers run several times slower
fat = int(os.environ.get("TM_BIG_MEMFACTOR", "1"))  # and use shadow memory and redzones


def run_measured(args):
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode("utf-8", "replace")
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err, time.monotonic() - t0, ru.ru_maxrss / 1024


sample = os.path.join(root, "corpora", "sample", "iag-minutes-2025-04-09.txt")
with open(sample, "rb") as f:
    head = f.read().replace(b"\r", b" ").replace(b"\n", b" ")
rng = random.Random(1)
vocab = ("the meeting noted update agreed members would next steps with panel chair"
         " report discussed and was to of in a further review were an action").split()
filler = " ".join(rng.choice(vocab) for _ in range(200000)).encode()
big = os.path.join(work, "one-line.txt")
with open(big, "wb") as f:
    f.write(head)
    size = len(head)
    while size < mb << 20:
        chunk = filler[: (mb << 20) - size]
        f.write(b" " + chunk)
        size += len(chunk) + 1
    f.write(b"\n")
db = os.path.join(work, "big.db")
rc, err, secs, rss = run_measured([binary, "ingest", "--db", db, big])
print(f"{mb} MB line: exit {rc}, {secs:.1f} s, {rss:.0f} MB peak")
check(rc == 0, f"exit {rc}: {err}")
check(secs < 240 * slow, f"{mb} MB line took {secs:.0f} s")
check(rss < 24 * mb * fat + 200, f"{mb} MB line used {rss:.0f} MB of memory")
con = sqlite3.connect(db)
row = con.execute("select size, sentences, words from documents").fetchone()
check(row[0] == os.path.getsize(big), f"size stored: {row}")
check(row[1] > 10, f"sentences: {row}")
covered = con.execute("select sum(end - start) from sentences").fetchone()[0]
check(covered > 0.99 * os.path.getsize(big), f"sentences cover the line: {covered} bytes")
nsent = con.execute("select count(*) from sentences").fetchone()[0]
check(nsent == row[1], f"every sentence stored: {nsent} of {row[1]}")
text_len = con.execute("select length(cast(text as blob)) from document_texts").fetchone()[0]
check(text_len == os.path.getsize(big), f"whole text stored: {text_len}")
con.close()
check(integrity_ok(db), "integrity")
os.remove(big)

# one huge sentence dense with mentions
phrases = ["the Somali community", "Polish residents", "knife crime", "hate crime", "Luton",
           "stop and search", "no reports of", "Section 60", "young Black men", "rumours",
           "it may be that", "members said", "the Roma community", "anti-social behaviour"]
dense = os.path.join(work, "dense.txt")
with open(dense, "w", encoding="utf-8") as f:
    n = 0
    while n < 4 << 20:
        w = rng.choice(phrases) + (", " if rng.random() < 0.3 else " and ")
        f.write(w)
        n += len(w)
    f.write("\n")
rc, err, secs, rss = run_measured([binary, "extract", "--jsonl", dense])
print(f"4 MB dense sentence: exit {rc}, {secs:.1f} s, {rss:.0f} MB peak")
check(rc == 0, f"exit {rc}: {err}")
check(secs < 30 * slow, f"4 MB dense sentence took {secs:.0f} s: quadratic again?")
print("ok")
