"""The seed documents in ../shared scored with the shared scorer."""
import glob
import os
import re
from common import setup, run, check

binary, root, work = setup()
shared = os.path.join(root, "..", "shared")
seeds = sorted(glob.glob(os.path.join(shared, "corpora", "seeds", "*.txt")))
p = run([binary, "extract", "--jsonl"] + seeds)
out = os.path.join(work, "seeds.jsonl")
open(out, "w", encoding="utf-8").write(p.stdout)
import sys
s = run([sys.executable, os.path.join(shared, "tools", "score.py"),
         os.path.join(shared, "gold", "seeds.jsonl"), out, "--verbose"])
print(s.stdout)
m = re.search(r"overall micro-F1 ([0-9.]+)", s.stdout)
check(m and float(m.group(1)) >= 0.80, "micro-F1 below 0.80")
print("ok")
