"""Concurrent runs on one database: two `tension ingest` processes on the
same (new) database and the same files both finish with exit status 0 (the
busy timeout makes one wait for the other's document transaction), no
document is stored twice, and the content equals a single run's.
`tension report` runs while an ingest is writing (WAL: readers do not
block the writer) and writes a valid report."""
import json
import os
import subprocess
import time
from common import (setup, run, check, fail, snapshot, integrity_ok, copies_corpus,
                    stored_count, validate)

binary, root, work = setup()
corpus = os.path.join(work, "corpus")
total = copies_corpus(root, corpus, int(os.environ.get("TM_CONCURRENCY_COPIES", "20")))
ref_db = os.path.join(work, "ref.db")
run([binary, "ingest", "-q", "--db", ref_db, "-j", "1", corpus])

# two writers, started together on a database that does not exist yet
db = os.path.join(work, "t.db")
procs = [subprocess.Popen([binary, "ingest", "--db", db, corpus], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) for _ in range(2)]
outs = [p.communicate(timeout=600)[1] for p in procs]
for p, err in zip(procs, outs):
    check(p.returncode == 0, f"a concurrent ingest exited {p.returncode}:\n{err}")
    check("kept the database locked" not in err, err)
import sqlite3
con = sqlite3.connect(db)
docs = con.execute("select count(*), count(distinct path), count(distinct sha256 || path)"
                   " from documents").fetchone()
con.close()
check(docs == (total, total, total), f"no duplicate documents: {docs} for {total} files")
check(integrity_ok(db), "integrity")
check(snapshot(db) == snapshot(ref_db), "same content as one run")

# report while a writer holds the write lock with uncommitted changes (WAL:
# the reader sees the last commit and does not wait)
lock = sqlite3.connect(db, isolation_level=None, timeout=30)
lock.execute("begin immediate")
lock.execute("delete from documents")
t0 = time.monotonic()
out = os.path.join(work, "report-locked.json")
run([binary, "report", "--db", db, "--out", out])
check(time.monotonic() - t0 < 5, "report waited for the writer's lock")
with open(out, encoding="utf-8") as f:
    locked = json.load(f)
lock.execute("rollback")
lock.close()
run([binary, "report", "--db", db, "--out", out])
with open(out, encoding="utf-8") as f:
    check(json.load(f) == locked, "the report under the lock saw the committed state")

# a writer that keeps the lock longer than the 10 s busy timeout: ingest waits
# and retries (up to five minutes) instead of failing
db3 = os.path.join(work, "busy.db")
sample = os.path.join(root, "corpora", "sample")
run([binary, "ingest", "-q", "--db", db3, os.path.join(sample, sorted(os.listdir(sample))[0])])
lock = sqlite3.connect(db3, isolation_level=None, timeout=30)
lock.execute("begin immediate")
lock.execute("delete from documents")
p = subprocess.Popen([binary, "ingest", "--db", db3, sample], stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE, text=True)
time.sleep(13)
check(p.poll() is None, "ingest gave up while another process held the lock")
lock.execute("rollback")
lock.close()
err = p.communicate(timeout=300)[1]
check(p.returncode == 0, f"ingest after a 13 s lock exited {p.returncode}: {err}")
check(sum("is busy" in l for l in err.splitlines()) == 1, f"one line says it waits: {err}")
con = sqlite3.connect(db3)
check(con.execute("select count(*) from documents").fetchone()[0] ==
      len([f for f in os.listdir(sample) if not f.startswith(".")]), "all stored after the wait")
con.close()

# report while an ingest writes
db2 = os.path.join(work, "r.db")
writer = subprocess.Popen([binary, "ingest", "-q", "--db", db2, corpus], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
deadline = time.monotonic() + 300
while stored_count(db2) < 1 and writer.poll() is None and time.monotonic() < deadline:
    time.sleep(0.02)
if writer.poll() is not None:
    fail("the ingest finished before the report could run: raise TM_CONCURRENCY_COPIES")
reports = 0
during = False
while writer.poll() is None and reports < 3:
    out = os.path.join(work, f"report{reports}.json")
    t0 = time.monotonic()
    p = run([binary, "report", "--db", db2, "--out", out])
    check(time.monotonic() - t0 < 60, "report waited for the writer")
    with open(out, encoding="utf-8") as f:
        validate(json.load(f), os.path.join(root, "reports", "schema", "report.schema.json"))
    reports += 1
    during |= writer.poll() is None
check(reports >= 1, "at least one report ran during the ingest")
err = writer.communicate(timeout=600)[1]
check(writer.returncode == 0, f"the ingest under a reader exited {writer.returncode}: {err}")
check(snapshot(db2) == snapshot(ref_db), "the ingest under a reader stored everything")
print(f"ok ({reports} reports during the ingest, the last finished before it: {during})")
