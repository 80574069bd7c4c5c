"""Personal data: `tension forget DOC` leaves nothing of the document.

A document with a unique name and unique words in it is ingested with the
sample corpus, then forgotten. No table, no full-text search and not one
byte of the database file (free pages, FTS segments, WAL) holds its text,
the name or its path; every other document is untouched. Also: the database
file is created with mode 0600 whatever the umask, an unknown DOC is named
and gives exit status 1, and a path full of SQL quotes is just a path."""
import os
import shutil
import sqlite3
from common import setup, run, check, per_doc_counts, integrity_ok, DOC_TABLES

binary, root, work = setup()
corpus = os.path.join(work, "corpus")
shutil.copytree(os.path.join(root, "corpora", "sample"), corpus)
secret_name = "Qzxvbnorwick Plaskettvane"
marker = "xqjzwvkplumtree"
path = os.path.join(corpus, "o'brien; DROP TABLE documents;--qzsecret.txt")
with open(os.path.join(root, "corpora", "sample", "iag-minutes-2025-04-09.txt"), encoding="utf-8") as f:
    text = f.read()
text = text.replace("Welcomed everyone", f"Welcomed {secret_name} and everyone", 1)
text += f"\n\n9. Any other business\n{secret_name} said the {marker} group worried the Somali community about knife crime.\n"
with open(path, "w", encoding="utf-8") as f:
    f.write(text)

db = os.path.join(work, "t.db")
old_umask = os.umask(0)
try:
    run([binary, "ingest", "--db", db, corpus])
finally:
    os.umask(old_umask)
check(oct(os.stat(db).st_mode & 0o777) == "0o600", f"database mode {oct(os.stat(db).st_mode)}")
before = per_doc_counts(db)
check(path in before and before[path][0] > 0, "the secret document was stored")
con = sqlite3.connect(db)
hits = con.execute("select count(*) from sentences_fts where sentences_fts match ?", (marker,)).fetchone()[0]
check(hits == 1, f"FTS finds the marker before forget: {hits}")
con.close()

p = run([binary, "forget", "--db", db, path, os.path.join(corpus, "never-stored.txt")], expect=(1,))
check(sum("never-stored.txt" in l and "not in" in l for l in p.stderr.splitlines()) == 1, p.stderr)
check("1 document(s) forgotten" in p.stderr, p.stderr)

after = per_doc_counts(db)
check(path not in after, "the document row is gone")
check(after == {k: v for k, v in before.items() if k != path}, "other documents untouched")
con = sqlite3.connect(db)
tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
for t in tables:
    cols = [r[1] for r in con.execute(f'pragma table_info("{t}")')]
    for c in cols:
        for needle in (marker, "Plaskettvane", "Qzxvbnorwick", "qzsecret"):
            n = con.execute(f'select count(*) from "{t}" where instr(lower(cast("{c}" as text)), ?)',
                            (needle.lower(),)).fetchone()[0]
            check(n == 0, f"{t}.{c} still holds {needle}")
for t in DOC_TABLES:
    orphans = con.execute(f"select count(*) from {t} where doc_id not in (select id from documents)").fetchone()[0]
    check(orphans == 0, f"{t}: {orphans} orphan rows")
for q in (marker, "plaskettvane", "qzxvbnorwick"):
    n = con.execute("select count(*) from sentences_fts where sentences_fts match ?", (q,)).fetchone()[0]
    check(n == 0, f"FTS still finds {q}")
fts_rows = con.execute("select count(*) from sentences_fts").fetchone()[0]
sent_rows = con.execute("select count(*) from sentences").fetchone()[0]
check(fts_rows == sent_rows, f"FTS rows {fts_rows} = sentences {sent_rows}")
con.close()
check(integrity_ok(db), "integrity and FTS integrity-check")

# not one byte of the files: free pages, FTS segments, the WAL
for f in (db, db + "-wal"):
    if os.path.exists(f):
        with open(f, "rb") as fh:
            raw = fh.read().lower()
        # FTS5 keeps Porter stems ("plaskettvan"), prefix-compressed against the
        # term before them: look for pieces from the middle of each word
        for needle in (marker, "jzwvkplum", "askettva", "xvbnorwi", "qzsecret"):
            check(needle.encode() not in raw, f"{os.path.basename(f)} still holds '{needle}' bytes")

# ingesting it again brings it back (forget is not a block list)
run([binary, "ingest", "--db", db, corpus])
check(per_doc_counts(db)[path] == before[path], "re-ingest restores the same rows")

# usage and a missing database
run([binary, "forget", "--db", db], expect=(2,))
p = run([binary, "forget", "--db", os.path.join(work, "none.db"), path], expect=(3,))
check(not os.path.exists(os.path.join(work, "none.db")), "forget does not create a database")
print("ok")
