"""A full disk or a read-only database: one clear error, exit status 3, no
document half-stored, and the database still passes integrity_check.

A full disk is simulated with the test-only environment variable
TENSION_TEST_MAX_PAGES (PRAGMA max_page_count): SQLite answers SQLITE_FULL
exactly as on a full filesystem. A read-only database needs a user that
cannot write it: the tests run as root, so `tension` runs as `nobody`
(setpriv) on a root-owned 0644 file."""
import os
import shutil
import sqlite3
import subprocess
from common import setup, run, check, per_doc_counts, integrity_ok, snapshot, copies_corpus

binary, root, work = setup()
corpus = os.path.join(work, "corpus")
# ingest commits documents in batches (64 at a time, each document a savepoint):
# enough copies for a committed batch before the disk is full
n = copies_corpus(root, corpus, 6)
ref = os.path.join(work, "ref.db")
run([binary, "ingest", "-q", "--db", ref, corpus])
ref_counts = per_doc_counts(ref)
con = sqlite3.connect(ref)
ref_pages = con.execute("pragma page_count").fetchone()[0]
con.close()

# full: the limit lets the first batch in, then one document does not fit
db = os.path.join(work, "full.db")
env = dict(os.environ, TENSION_TEST_MAX_PAGES=str(ref_pages * 4 // 5))
p = subprocess.run([binary, "ingest", "--db", db, "-j", "2", corpus], capture_output=True,
                   text=True, env=env, timeout=300)
check(p.returncode == 3, f"exit {p.returncode}, expected 3: {p.stderr}")
lines = [l for l in p.stderr.splitlines() if l.strip()]
check(len(lines) == 1, f"one line: {lines}")
check("database or disk is full" in lines[0] and "free space" in lines[0], lines[0])
check("rolled back" in lines[0] and "run the ingest again" in lines[0], lines[0])
failed = lines[0].split("tension: ")[1].split(": not stored")[0]
check(failed.startswith(corpus), f"the line names the document: {lines[0]}")
counts = per_doc_counts(db)
check(0 < len(counts) < n, f"{len(counts)} of {n} stored before the disk was full")
check(len(counts) % 64 == 0, f"whole batches only: {len(counts)}")
check(failed not in counts, "nothing of the document that did not fit")
for path, c in counts.items():
    check(c == ref_counts[path], f"{path}: half-stored {c} vs {ref_counts[path]}")
check(integrity_ok(db), "integrity after SQLITE_FULL")
# space again: the next run completes it
run([binary, "ingest", "-q", "--db", db, corpus])
check(snapshot(db) == snapshot(ref), "after space is freed, the same as an uninterrupted run")

# a full disk inside a document that replaces an older version: the old one stays whole
victim = sorted(ref_counts)[0]
with open(victim, "a", encoding="utf-8") as f:
    f.write("\n" + "AB said knife crime worried the Somali community. " * 4000 + "\n")
con = sqlite3.connect(db)
pages = con.execute("pragma page_count").fetchone()[0]
con.close()
env = dict(os.environ, TENSION_TEST_MAX_PAGES=str(pages + 20))
p = subprocess.run([binary, "ingest", "--db", db, corpus], capture_output=True, text=True,
                   env=env, timeout=300)
check(p.returncode == 3 and "full" in p.stderr and victim in p.stderr, p.stderr)
check(per_doc_counts(db)[victim] == ref_counts[victim], "the old version is intact")
check(integrity_ok(db), "integrity after a failed replacement")

# read-only: as a user who cannot write the file
if os.geteuid() == 0 and shutil.which("setpriv"):
    ro = os.path.join(work, "ro")
    os.makedirs(ro)
    rodb = os.path.join(ro, "t.db")
    shutil.copy(ref, rodb)
    os.chmod(rodb, 0o644)
    os.chmod(ro, 0o755)
    os.chmod(work, 0o755)
    before = snapshot(rodb)
    env = dict(os.environ, TENSION_LEXICONS=os.path.join(root, "lexicons"))
    with open(victim, "a", encoding="utf-8") as f:
        f.write("\nOne more line.\n")
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                        binary, "ingest", "--db", rodb, corpus], capture_output=True, text=True,
                       env=env, timeout=300)
    check(p.returncode == 3, f"read-only: exit {p.returncode}: {p.stderr}")
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    check(len(lines) == 1 and rodb in lines[0] and ("read-only" in lines[0] or "readonly" in lines[0])
          and "writable" in lines[0], f"one line: {lines}")
    check(snapshot(rodb) == before and integrity_ok(rodb), "the read-only database is unchanged")
    # the folder writable (SQLite can make its -shm file) but not the database itself
    os.chmod(ro, 0o777)
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                        binary, "ingest", "--db", rodb, corpus], capture_output=True, text=True,
                       env=env, timeout=300)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    check(p.returncode == 3 and len(lines) == 1 and "the database is read-only" in lines[0],
          f"read-only file in a writable folder: exit {p.returncode}: {lines}")
    check(snapshot(rodb) == before, "unchanged")
else:
    print("not root or no setpriv: read-only database not tested")
print("ok")
