"""Ingest is idempotent; a changed file replaces its rows in one go."""
import os
import shutil
import sqlite3
from common import setup, run, check

binary, root, work = setup()
corpus = os.path.join(work, "corpus")
shutil.copytree(os.path.join(root, "corpora", "sample"), corpus)
db = os.path.join(work, "t.db")


def snapshot():
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute(
        "select name from sqlite_master where type='table' and name not like 'sqlite_%' "
        "and name not like '%fts%' order by name")]
    out = {}
    for t in tables:
        cols = [r[1] for r in con.execute(f"pragma table_info({t})")]
        keep = [c for c in cols if c not in ("ingested_at",)]
        out[t] = sorted(map(repr, con.execute(f"select {','.join(keep)} from {t}").fetchall()))
    con.close()
    return out


run([binary, "ingest", "--db", db, corpus])
first = snapshot()
check(len(first["documents"]) == len(os.listdir(corpus)), "every document stored")
p = run([binary, "ingest", "--db", db, corpus])
check(snapshot() == first, "re-ingesting an unchanged corpus changes nothing")
check(f"0 stored, {len(os.listdir(corpus))} unchanged" in p.stderr, p.stderr)

# change one file: its rows are replaced, nobody else's
victim = sorted(os.listdir(corpus))[0]
path = os.path.join(corpus, victim)
with open(path, "a", encoding="utf-8") as f:
    f.write("\nAB said that knife crime worried the Somali community.\n")
run([binary, "ingest", "--db", db, corpus])
con = sqlite3.connect(db)
docs = con.execute("select count(*), count(distinct path) from documents").fetchone()
check(docs[0] == docs[1] == len(os.listdir(corpus)), f"no duplicate documents: {docs}")
check(con.execute("pragma user_version").fetchone()[0] >= 1, "schema versioned")
check(con.execute("pragma integrity_check").fetchone()[0] == "ok", "integrity")
con.close()

# the same file given twice, for any --jobs: the stored state is looked up
# per path, so the second copy is judged as the first was (changed: stored
# twice; unchanged: unchanged twice) and the file keeps one row
with open(path, "a", encoding="utf-8") as f:
    f.write("\nCD said the Somali community felt safer.\n")
for jobs in ("1", "2"):
    p = run([binary, "ingest", "-j", jobs, "--db", db, path, corpus])
    n = len(os.listdir(corpus))
    want = f"2 stored, {n - 1} unchanged" if jobs == "1" else f"0 stored, {n + 1} unchanged"
    check(want in p.stderr, f"--jobs {jobs}: {p.stderr}")
con = sqlite3.connect(db)
docs = con.execute("select count(*), count(distinct path) from documents").fetchone()
check(docs[0] == docs[1] == len(os.listdir(corpus)), f"one row for a file given twice: {docs}")
con.close()
print("ok")
