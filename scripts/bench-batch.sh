#!/usr/bin/env bash
# Benchmark of `recist batch` on a generated study (issue 6).
#
#   scripts/bench-batch.sh [SUBJECTS] [DIR]      (default 100000 subjects, target/bench-batch)
#
# Generates the study once (recist generate, seed 1; kept in DIR/SUBJECTS for later runs), then
# measures, three runs each (interleaved), the median:
#   - the floor: TU.csv + TR.csv read with the csv crate alone (recist batch --parse-only);
#   - recist batch over TU, TR and DM (every output written: results.jsonl, rs.csv, errors.jsonl,
#     summary.json), with wall time, CPU time and peak memory (GNU time's maximum RSS);
#   - the same with --explanations (results.jsonl with every explanation text, as compare writes).
# Needs GNU time for peak memory (`apt-get install time`); without it, memory is not reported.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DIR=${2:-target/bench-batch}
STUDY="$DIR/$N"
cargo build -q --release -p recist-cli
BIN=target/release/recist
if [ ! -f "$STUDY/TR.csv" ]; then
  echo "== generating $N subjects into $STUDY"
  "$BIN" generate --subjects "$N" --seed 1 --out "$STUDY" >/dev/null
fi
TR_ROWS=$(($(wc -l < "$STUDY/TR.csv") - 1))
TU_ROWS=$(($(wc -l < "$STUDY/TU.csv") - 1))
ROWS=$((TR_ROWS + TU_ROWS))
echo "== study: $N subjects, $TR_ROWS TR rows, $TU_ROWS TU rows ($(du -sh "$STUDY/TR.csv" | cut -f1) TR.csv), $(nproc) cores"

TIMEFMT="%e %U %S %M"
measure() { # prints "wall user sys maxrss_kb" of the command
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "$TIMEFMT" -o "$DIR/.time" "$@" >/dev/null 2>"$DIR/.stderr" || { cat "$DIR/.stderr" >&2; return 1; }
    cat "$DIR/.time"
  else
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>"$DIR/.stderr"; e=$(date +%s.%N)
    echo "$(echo "$e - $s" | bc) 0 0 0"
  fi
}
median() { sort -n | sed -n 2p; }

floor=()
batch=()
explained=()
# Interleaved (floor, batch, explained; three times), so that the machine's changing speed
# (a shared 2-core VM varies by ±20 %) weighs on the floor and on batch alike.
for i in 1 2 3; do
  floor+=("$(measure "$BIN" batch --tu "$STUDY/TU.csv" --tr "$STUDY/TR.csv" --parse-only --out "$DIR/out")")
  rm -rf "$DIR/out"
  batch+=("$(measure "$BIN" batch --tu "$STUDY/TU.csv" --tr "$STUDY/TR.csv" --dm "$STUDY/DM.csv" --out "$DIR/out" --progress off)")
  rm -rf "$DIR/out-explained"
  explained+=("$(measure "$BIN" batch --tu "$STUDY/TU.csv" --tr "$STUDY/TR.csv" --dm "$STUDY/DM.csv" --out "$DIR/out-explained" --progress off --explanations)")
done
fw=$(printf '%s\n' "${floor[@]}" | awk '{print $1}' | median)
bw=$(printf '%s\n' "${batch[@]}" | awk '{print $1}' | median)
bcpu=$(printf '%s\n' "${batch[@]}" | awk '{print $2 + $3}' | median)
brss=$(printf '%s\n' "${batch[@]}" | awk '{print $4}' | sort -n | tail -1)
ew=$(printf '%s\n' "${explained[@]}" | awk '{print $1}' | median)
ecpu=$(printf '%s\n' "${explained[@]}" | awk '{print $2 + $3}' | median)
erss=$(printf '%s\n' "${explained[@]}" | awk '{print $4}' | sort -n | tail -1)
awk -v n="$N" -v rows="$ROWS" -v fw="$fw" -v bw="$bw" -v cpu="$bcpu" -v rss="$brss" \
    -v ew="$ew" -v ecpu="$ecpu" -v erss="$erss" 'BEGIN {
  printf "parse-only floor (csv crate, TU+TR): %.2f s   %.0f rows/s\n", fw, rows / fw
  printf "recist batch (all outputs):          %.2f s   %.0f rows/s   %.0f subjects/s   %.2fx the floor\n", bw, rows / bw, n / bw, bw / fw
  printf "  CPU time %.2f s (user+sys); peak RSS %.1f MB\n", cpu, rss / 1024
  printf "recist batch --explanations:         %.2f s   %.0f rows/s   %.0f subjects/s   %.2fx the floor\n", ew, rows / ew, n / ew, ew / fw
  printf "  CPU time %.2f s (user+sys); peak RSS %.1f MB\n", ecpu, erss / 1024
}'
pairs=$(for i in 0 1 2; do
  echo "${floor[$i]} ${batch[$i]}" | awk '{printf "%.2fx ", $5 / $1}'
done)
echo "  batch / floor of each interleaved pair: $pairs"
ls -l "$DIR/out" | awk 'NR > 1 { printf "  %-16s %8.1f MB\n", $9, $5 / 1048576 }'
