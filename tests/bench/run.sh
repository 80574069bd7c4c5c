#!/usr/bin/env bash
# Benchmark of tension on a generated corpus, against ripgrep as the reference.
#
#   tests/bench/run.sh [MB] [TENSION_BINARY]
#
# MB defaults to 100. Generates (once, cached under $TM_BENCH_DIR, default
# /tmp/tension-bench) a corpus of MB megabytes with gen_corpus.py --seed 1, then
# times on that same corpus:
#   rg -j1 -c -i -F -f PHRASES   (the reference: every lexicon phrase surface)
#   tension extract --jobs 1, tension extract --jobs 2   (output to /dev/null)
#   tension ingest --jobs 2      (fresh database)
#   tension ingest --jobs 2      (again, nothing changed)
#   tension ingest --retag       (after a lexicon change: from the stored text)
#   tension report               (month)
# and prints elapsed seconds, MB/s, documents/s, peak RSS (/usr/bin/time -v)
# and the ratios against the reference, with the targets. Needs ripgrep and
# time (Debian packages), python3. Not part of ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mb=${1:-100}
bin=${2:-${TENSION:-$root/build/tension}}
[ -x "$bin" ] || { echo "run.sh: no tension binary at $bin (build first, or pass it as the 2nd argument)" >&2; exit 3; }
command -v rg >/dev/null || { echo "run.sh: ripgrep (rg) is missing: apt-get install ripgrep" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is missing: apt-get install time" >&2; exit 3; }
base=${TM_BENCH_DIR:-/tmp/tension-bench}
corpus=$base/corpus-$mb
work=$base/work-$mb
lex=$root/lexicons
mkdir -p "$base"
if [ ! -f "$corpus/.done" ]; then
    rm -rf "$corpus"
    python3 "$here/gen_corpus.py" --mb "$mb" --out "$corpus" --seed 1 --lexicons "$lex"
    touch "$corpus/.done"
fi
rm -rf "$work" && mkdir -p "$work"
bytes=$(find "$corpus" -type f -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
docs=$(find "$corpus" -type f -name '*.txt' | wc -l)
awk -F'\t' 'FNR > 1 && $1 !~ /^#/ && $4 == "phrase" && $3 != "" {print $3}' "$lex"/*.tsv |
    sort -u >"$work/phrases.txt"
# the lexicon change of the re-tag run: one phrase more
cp -r "$lex" "$work/lex2"
printf 'theme\tknife_crime\tbladed article offence\tphrase\t1\tbench\n' >>"$work/lex2/themes.tsv"

# warm the page cache so that every command reads from memory
cat $(find "$corpus" -type f -name '*.txt') >/dev/null

declare -A secs rss cpu
# timed NAME CMD... : runs CMD under /usr/bin/time -v, keeps elapsed and max RSS
timed() {
    local name=$1
    shift
    /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
        local rc=$?
        # rg -c exits 1 when a file has no match; tension exits 1 when a file was skipped
        if [ $rc -ne 1 ]; then
            echo "run.sh: $name failed ($rc):" >&2
            tail -5 "$work/$name.err" >&2
            exit 3
        fi
    }
    local wall
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$name.time")
    secs[$name]=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss[$name]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
    cpu[$name]=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$work/$name.time")
}

cd "$work"
timed rg rg -j1 -c -i -F -f "$work/phrases.txt" "$corpus"
timed extract_j1 "$bin" extract --jsonl --jobs 1 --lexicons "$lex" "$corpus"
timed extract_j2 "$bin" extract --jsonl --jobs 2 --lexicons "$lex" "$corpus"
timed ingest_j2 "$bin" ingest --jobs 2 --lexicons "$lex" --db "$work/t.db" "$corpus"
timed reingest "$bin" ingest --jobs 2 --lexicons "$lex" --db "$work/t.db" "$corpus"
timed report "$bin" report --db "$work/t.db" --period month --out "$work/report.json"
timed retag "$bin" ingest --retag --jobs 2 --lexicons "$work/lex2" --db "$work/t.db"

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo "+changes" || true)
echo
echo "tension bench: $(date -u +%Y-%m-%d) commit $commit$dirty, $(nproc) cores, $(uname -m)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine slows every figure; CPU s is fairer)"
echo "corpus: $docs documents, $bytes bytes ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB), seed 1"
printf '%-12s %9s %9s %9s %9s %10s %9s\n' step seconds cpu_s MB/s docs/s peakRSS_MB "x rg"
for n in rg extract_j1 extract_j2 ingest_j2 reingest report retag; do
    awk -v n="$n" -v s="${secs[$n]}" -v c="${cpu[$n]}" -v r="${rss[$n]}" -v b="$bytes" -v d="$docs" -v rg="${secs[rg]}" \
        'BEGIN { t = s > 0 ? s : 0.005;
                 # the report reads the database, not the corpus: no rate, no ratio
                 if (n == "report")
                     printf "%-12s %9.2f %9.2f %9s %9s %10.1f %9s\n", n, s, c, "-", "-", r / 1024, "-";
                 else
                     printf "%-12s %9.2f %9.2f %9.1f %9.0f %10.1f %9.2f\n", n, s, c, b / 1e6 / t, d / t, r / 1024, (rg > 0 ? rg : 0.005) / t }'
done
echo
echo "targets:"
awk -v e1="${secs[extract_j1]}" -v e2="${secs[extract_j2]}" -v rg="${secs[rg]}" -v i="${secs[ingest_j2]}" \
    -v ri="${secs[reingest]}" -v rp="${secs[report]}" -v b="$bytes" 'BEGIN {
    f = 0.005; if (e1 < f) e1 = f; if (e2 < f) e2 = f; if (i < f) i = f; if (rg < f) rg = f;
    printf "  extract --jobs 1 >= 0.5x rg : %.2fx  %s\n", rg / e1, (rg / e1 >= 0.5 ? "met" : "NOT met");
    printf "  extract --jobs 2 >= 0.9x rg : %.2fx  %s\n", rg / e2, (rg / e2 >= 0.9 ? "met" : "NOT met");
    printf "  ingest --jobs 2 >= 40 MB/s  : %.1f MB/s  %s\n", b / 1e6 / i, (b / 1e6 / i >= 40 ? "met" : "NOT met");
    printf "  re-ingest < 5%% of ingest    : %.1f%%  %s\n", 100 * ri / i, (ri / i < 0.05 ? "met" : "NOT met");
    printf "  report < 2 s                : %.2f s  %s\n", rp, (rp < 2 ? "met" : "NOT met");
}'
maxrss=0
for n in extract_j1 extract_j2 ingest_j2 reingest report retag; do
    [ "${rss[$n]}" -gt "$maxrss" ] && maxrss=${rss[$n]}
done
awk -v m="$maxrss" 'BEGIN { printf "  peak RSS < 100 MB           : %.1f MB  %s\n", m / 1024, (m / 1024 < 100 ? "met" : "NOT met") }'
echo "$mb $maxrss" >>"$base/peak-rss.txt"
echo "  (peak RSS by corpus size so far, MB KiB: $(sort -n "$base/peak-rss.txt" | uniq | tr '\n' ' '))"
echo "work files (outputs, /usr/bin/time logs): $work"
