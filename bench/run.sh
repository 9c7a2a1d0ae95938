#!/usr/bin/env bash
# yusuan against its Python peers and against its own floor, on one generated corpus.
#
#   bench/run.sh                                   # 1,000 workbooks, every pipeline, 5 rounds
#   COUNT=10000 REFERENCE=0 ROUNDS=1 bench/run.sh  # 10,000, without the openpyxl runs
#
# Needs: cargo (stable), python3 with venv, /usr/bin/time (Debian: apt-get install time).
# Everything else is built or installed here: the corpus under bench/work/ (kept between
# runs), the pinned Python packages (requirements.txt) in bench/work/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${COUNT:-1000}"
WORK="bench/work"
BIN="${CARGO_TARGET_DIR:-target}/release"
CORPUS="$WORK/corpus-$COUNT"
mkdir -p "$WORK"

cargo build --release --locked --bin yusuan --example floor --example corpus
if [ ! -f "$CORPUS/codes.csv" ]; then
    rm -rf "$CORPUS"
    "$BIN/examples/corpus" "$CORPUS" --count "$COUNT"
fi

if [ ! -x "$WORK/venv/bin/python" ] || ! "$WORK/venv/bin/python" -c "import python_calamine, xlsxwriter, openpyxl" 2>/dev/null; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet -r bench/requirements.txt
fi

"$WORK/venv/bin/python" bench/measure.py "$CORPUS" "$WORK/out" \
    "$BIN/yusuan" "$BIN/examples/floor" "$WORK/venv/bin/python"
