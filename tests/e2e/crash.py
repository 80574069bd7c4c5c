"""Crash consistency: `tension ingest` killed with SIGKILL in the middle of a
large corpus leaves a database that passes integrity_check, holds no
half-stored document (every stored document has exactly the rows a clean
run gives it), and a second ingest finishes the job with the same content
as an uninterrupted run (ingestion timestamps aside)."""
import os
import signal
import subprocess
import time
from common import (setup, run, check, fail, snapshot, per_doc_counts, integrity_ok,
                    copies_corpus, stored_count)

binary, root, work = setup()
copies = int(os.environ.get("TM_CRASH_COPIES", "30"))
corpus = os.path.join(work, "corpus")
total = copies_corpus(root, corpus, copies)

# the reference: an uninterrupted run
ref_db = os.path.join(work, "ref.db")
run([binary, "ingest", "-q", "--db", ref_db, corpus])
ref_counts = per_doc_counts(ref_db)
check(len(ref_counts) == total, f"reference holds {len(ref_counts)} of {total}")
by_name = {}
for path, c in ref_counts.items():
    by_name.setdefault(os.path.basename(path), set()).add(c)
check(all(len(v) == 1 for v in by_name.values()), "copies of a document have the same rows")


def check_consistent(db, what):
    check(integrity_ok(db), f"{what}: integrity_check")
    counts = per_doc_counts(db)
    for path, c in counts.items():
        want = ref_counts.get(path)
        check(want == c, f"{what}: {path} half-stored: {c}, a clean run gives {want}")
    return len(counts)


db = os.path.join(work, "t.db")
kills = 0
for target in (total // 7, total // 3):
    p = subprocess.Popen([binary, "ingest", "-q", "--db", db, corpus],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600
    while stored_count(db) < target and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if p.poll() is not None:
        fail(f"ingest finished (exit {p.returncode}) before the kill at {target} documents:"
             f" raise TM_CRASH_COPIES\n{p.stderr.read().decode()}")
    p.send_signal(signal.SIGKILL)
    p.wait()
    p.stderr.close()
    kills += 1
    n = check_consistent(db, f"after kill {kills}")
    check(0 < n < total, f"after kill {kills}: {n} of {total} stored: killed mid-run")
    print(f"kill {kills}: {n} of {total} documents stored, all whole")

p = run([binary, "ingest", "--db", db, corpus])
check(" 0 skipped" in p.stderr, p.stderr)
check_consistent(db, "after the final run")
check(snapshot(db) == snapshot(ref_db), "same content as an uninterrupted run")
print("ok")
