"""A lexicon change is reported honestly: documents stored with another
lexicon hash are re-tagged even though their files did not change, the
summary says so, and afterwards every document carries the new hash."""
import os
import shutil
import sqlite3
from common import setup, run, check

binary, root, work = setup()
corpus = os.path.join(work, "corpus")
shutil.copytree(os.path.join(root, "corpora", "sample"), corpus)
lex = os.path.join(work, "lexicons")
shutil.copytree(os.path.join(root, "lexicons"), lex)
db = os.path.join(work, "t.db")
n = len(os.listdir(corpus))


def ingest():
    return run([binary, "ingest", "--db", db, "--lexicons", lex, corpus]).stderr


def hashes():
    con = sqlite3.connect(db)
    out = {r[0] for r in con.execute("select distinct lexicon_hash from documents")}
    con.close()
    return out


def org_mentions(ident):
    con = sqlite3.connect(db)
    k = con.execute("select count(*) from mentions where identifier = ?", (ident,)).fetchone()[0]
    con.close()
    return k


ingest()
first = hashes()
check(len(first) == 1, f"one lexicon hash: {first}")
err = ingest()
check(f"0 stored, {n} unchanged" in err and "re-tagged" not in err, err)
check(org_mentions("oakridge_community_hall") == 0, "no mention before the lexicon knows it")

# a new organisation: every document must be re-tagged, not skipped
with open(os.path.join(lex, "organisations.tsv"), "a", encoding="utf-8") as f:
    f.write("organisation\toakridge_community_hall\tOakridge Community Hall\tphrase\t1\t\n")
err = ingest()
check(f"{n} stored, 0 unchanged" in err, err)
check(f"{n} of the stored documents were unchanged but tagged with another lexicon" in err, err)
second = hashes()
check(len(second) == 1 and second != first, f"every document has the new hash: {first} -> {second}")
check(org_mentions("oakridge_community_hall") > 0, "the new phrase is found in the stored documents")
err = ingest()
check(f"0 stored, {n} unchanged" in err and "re-tagged" not in err, err)

# a changed file and a new lexicon at once: re-processed once, counted as changed only
victim = os.path.join(corpus, sorted(os.listdir(corpus))[0])
with open(victim, "a", encoding="utf-8") as f:
    f.write("\nAB said the meeting closed.\n")
with open(os.path.join(lex, "VERSION"), "a", encoding="utf-8") as f:
    f.write("")
os.utime(victim, (1, 1))
with open(os.path.join(lex, "protected.txt"), "a", encoding="utf-8") as f:
    f.write("Oakridge\n")
err = ingest()
check(f"{n} stored, 0 unchanged" in err, err)
check(f"{n - 1} of the stored documents were unchanged but tagged" in err, err)
con = sqlite3.connect(db)
docs = con.execute("select count(*), count(distinct path) from documents").fetchone()
con.close()
check(docs == (n, n), f"no duplicates: {docs}")
print("ok")
