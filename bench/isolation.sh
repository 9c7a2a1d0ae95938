#!/usr/bin/env bash
# The cost of worker processes: `batch` with workers against `batch --in-process`, on
# the same generated corpus, interleaved round by round (wall and CPU from
# /usr/bin/time; min and median printed at the end).
#
#   bench/isolation.sh            # 1,000 workbooks, 7 rounds
#   COUNT=200 ROUNDS=3 bench/isolation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${COUNT:-1000}"
ROUNDS="${ROUNDS:-7}"
WORK="bench/work"
BIN="${CARGO_TARGET_DIR:-target}/release"
CORPUS="$WORK/corpus-$COUNT"
mkdir -p "$WORK"
cargo build --release --locked --bin yusuan --example corpus
if [ ! -f "$CORPUS/codes.csv" ]; then
    rm -rf "$CORPUS"
    "$BIN/examples/corpus" "$CORPUS" --count "$COUNT"
fi
RESULTS="$WORK/isolation.txt"
: > "$RESULTS"
for _ in $(seq "$ROUNDS"); do
    for mode in workers in-process; do
        rm -rf "$WORK/out-$mode"
        extra=()
        [ "$mode" = in-process ] && extra=(--in-process)
        /usr/bin/time -f "$mode %e %U %S %M" -a -o "$RESULTS" \
            "$BIN/yusuan" batch "$CORPUS" -o "$WORK/out-$mode" -q --codes "$CORPUS/codes.csv" "${extra[@]}" || true
    done
done
python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("Command")]
for mode in ["workers", "in-process"]:
    r = [x for x in rows if x[0] == mode]
    wall = [float(x[1]) for x in r]
    cpu = [float(x[2]) + float(x[3]) for x in r]
    print(f"{mode:11} wall min {min(wall):.2f} median {statistics.median(wall):.2f} s; "
          f"CPU min {min(cpu):.2f} median {statistics.median(cpu):.2f} s; peak RSS {max(int(x[4]) for x in r) / 1024:.1f} MB")
PY
