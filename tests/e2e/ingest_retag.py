"""After a lexicon change, `ingest --retag` re-tags the stored documents from
the database alone (the files are moved away first) and gives the same
database as a fresh ingest with the new lexicon; ingesting unchanged files
with a new lexicon tags them again too."""
import os
import shutil
import sqlite3
from common import setup, run, check
import dbcompare

binary, root, work = setup()
sample = os.path.join(root, "corpora", "sample")
corpus = os.path.join(work, "corpus")
shutil.copytree(sample, corpus)
# converted encodings and Markdown residue need the kept source to rebuild
for i, name in enumerate(sorted(n for n in os.listdir(sample) if n.endswith(".txt"))[:6]):
    text = open(os.path.join(sample, name), encoding="utf-8-sig").read()
    enc = ["utf-16", "cp1252", "utf-16-be"][i % 3]
    with open(os.path.join(corpus, "conv-" + name), "wb") as f:
        f.write(text.encode(enc, errors="replace"))
# an e-mail whose attachment has no date of its own: dated by the message
import datetime  # noqa: E402
import docfixtures as fx  # noqa: E402
note = [("h", 1, "Briefing note"), ("p", "Residents reported a revenge attack and fear of knife"
                                          " crime among young people in Bletchley.")]
with open(os.path.join(corpus, "papers.eml"), "wb") as f:
    f.write(fx.to_eml("Dear colleagues,\n\nThe Somali community is worried about knife crime.\n",
                      [("briefing.html", fx.to_html(note), "text", "html")],
                      datetime.datetime(2025, 10, 20, 9, 30, tzinfo=datetime.timezone.utc)))
ndocs = len(os.listdir(corpus)) + 1  # the e-mail and its attachment

lex1 = os.path.join(root, "lexicons")
lex2 = os.path.join(work, "lexicons2")
shutil.copytree(lex1, lex2)
with open(os.path.join(lex2, "themes.tsv"), "a", encoding="utf-8") as f:
    f.write("theme\tknife_crime\trevenge attack\tphrase\t1\tadded by the retag test\n")
run([binary, "lexicon", "check", lex2])

a = os.path.join(work, "a.db")
b = os.path.join(work, "b.db")
c = os.path.join(work, "c.db")
run([binary, "ingest", "--lexicons", lex1, "--db", a, corpus])
before = dbcompare.dump(a)
con = sqlite3.connect(a)
kinds = dict(con.execute("select kind, count(*) from document_sources group by kind"))
con.close()
check(kinds.get("raw", 0) >= 4 and kinds.get("patch", 0) >= 1,
      f"converted files keep their bytes, Markdown ones a patch: {kinds}")

# the files are gone: re-tagging must use the database only
moved = corpus + ".away"
os.rename(corpus, moved)
p = run([binary, "ingest", "--retag", "--jobs", "2", "--lexicons", lex2, "--db", a])
check(f"{ndocs} re-tagged, 0 skipped" in p.stderr, p.stderr)
os.rename(moved, corpus)

run([binary, "ingest", "--lexicons", lex2, "--db", b, corpus])
fresh = dbcompare.dump(b)
check(dbcompare.diff(before, fresh) is not None, "the added phrase changes the database")
d = dbcompare.diff(dbcompare.dump(a), fresh)
check(d is None, f"re-tagged database equals a fresh ingest with the new lexicon: {d}")

p = run([binary, "ingest", "--retag", "--lexicons", lex2, "--db", a])
check("0 re-tagged" in p.stderr, f"nothing left to re-tag: {p.stderr}")

# unchanged files, new lexicon: tagged again, same result
run([binary, "ingest", "--lexicons", lex1, "--db", c, corpus])
p = run([binary, "ingest", "--jobs", "2", "--lexicons", lex2, "--db", c, corpus])
check(f"{ndocs} stored, 0 unchanged" in p.stderr, p.stderr)
d = dbcompare.diff(dbcompare.dump(c), fresh)
check(d is None, f"re-ingest with a new lexicon equals a fresh ingest: {d}")

# a document whose kept source is lost is not re-tagged from the wrong bytes
con = sqlite3.connect(c)
victim = con.execute("select d.path from documents d join document_sources s on s.doc_id = d.id"
                     " where s.kind = 'patch' order by d.path limit 1").fetchone()[0]
con.execute("delete from document_sources where doc_id = (select id from documents where path = ?)",
            (victim,))
con.commit()
con.close()
p = run([binary, "ingest", "--retag", "--lexicons", lex1, "--db", c], expect=(1,))
check(victim in p.stderr and "ingest the file again" in p.stderr, p.stderr)
check(f"{ndocs - 1} re-tagged, 1 skipped" in p.stderr, p.stderr)
print("ok")
