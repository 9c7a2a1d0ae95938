#!/usr/bin/env bash
# yusuan against openpyxl and against its own floor, on one generated corpus.
#
#   bench/run.sh                                   # 1,000 workbooks, all three pipelines
#   COUNT=10000 REFERENCE=0 REPEAT=1 bench/run.sh  # 10,000, without the openpyxl runs
#
# Needs: cargo (stable), python3 with venv. Everything else is built or installed here:
# the corpus under bench/work/ (kept between runs), openpyxl in bench/work/venv.
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

if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet -r bench/requirements.txt
fi

"$WORK/venv/bin/python" bench/measure.py "$CORPUS" "$WORK/out" \
    "$BIN/yusuan" "$BIN/examples/floor" "$WORK/venv/bin/python"
