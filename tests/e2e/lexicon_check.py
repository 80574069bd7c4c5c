"""The shipped lexicons load, and every phrase matches its own surface text;
a broken lexicon is reported as file:line."""
import os
import shutil
from common import setup, run, check

binary, root, work = setup()
p = run([binary, "lexicon", "check", os.path.join(root, "lexicons")])
check("0 phrase(s) fail" in p.stdout, p.stdout)
s = run([binary, "lexicon", "stems", os.path.join(root, "lexicons")])
check(len(s.stdout.splitlines()) > 300, "stems lists every entry")

bad = os.path.join(work, "lex")
shutil.copytree(os.path.join(root, "lexicons"), bad)
with open(os.path.join(bad, "broken.tsv"), "w", encoding="utf-8") as f:
    f.write("category\tidentifier\tsurface\tkind\tweight\tnotes\n")
    f.write("theme\tknife_crime\t(unclosed\tregex\t1\t\n")
    f.write("nonsense\tx\ty\tphrase\t1\t\n")
    f.write("theme\tnot_registered_id\tfoo\tphrase\t1\t\n")
    f.write("theme\tknife_crime\t\tphrase\t1\t\n")
p = run([binary, "lexicon", "check", bad], expect=(1,))
for line, what in ((2, "regex"), (3, "category"), (4, "not registered"), (5, "empty")):
    check(any(f"broken.tsv:{line}:" in l and what in l for l in p.stderr.splitlines()),
          f"broken.tsv:{line} reports {what}: {p.stderr}")
print("ok")
