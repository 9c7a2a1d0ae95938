#!/usr/bin/env bash
# Render yusuan's outputs for the bundled samples to PNG (docs/outputs/), as a finance
# officer sees them printed: LibreOffice prints each workbook to PDF, pdftoppm turns a
# page into a picture. Needs libreoffice (calc or writer-nogui + calc), poppler-utils
# and a CJK font (Debian: apt-get install libreoffice-calc poppler-utils fonts-wqy-zenhei).
#
#   scripts/render-outputs.sh            # writes docs/outputs/*.png
#
# The inputs: the 罗江 政协办 sample with 表3!C5 (一般公共服务支出 合计) changed from
# 530.88 to 530.98 in its own package, so the 问题清单 and the annotated copy have
# something to show, and the bundled samples for the 公开表 and the 汇总表.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/docs/outputs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in soffice pdftoppm python3; do
  command -v "$tool" >/dev/null || { echo "需要 $tool" >&2; exit 2; }
done
cd "$root"
cargo build --release --quiet
bin="$root/target/release/yusuan"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)}

mkdir -p "$work/in"
cp samples/*.xlsx "$work/in/"
python3 - "$work/in/luojiang-zhengxieban-2023.xlsx" "$work/in/有错误.xlsx" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    for info in zi.infolist():
        data = zi.read(info.filename)
        if info.filename == "xl/worksheets/sheet7.xml":  # 表3
            s = data.decode()
            at = s.index('<c r="C5"')
            v = s.index("<v>", at) + 3
            s = s[:v] + "530.98" + s[s.index("</v>", v):]
            data = s.encode()
        zo.writestr(info, data)
PY
"$bin" batch "$work/in" -o "$work/out" --quiet || true

# Print a workbook to PDF and one page of it to PNG.
page() { # workbook page name
  local pdf="$work/pdf/$(basename "${1%.xlsx}").pdf"
  mkdir -p "$work/pdf"
  [ -f "$pdf" ] || soffice --headless --convert-to pdf --outdir "$work/pdf" "$1" >/dev/null 2>&1
  pdftoppm -r 80 -png -f "$2" -l "$2" -singlefile "$pdf" "$out/$3"
  echo "$out/$3.png"
}
mkdir -p "$out"
page "$work/out/luojiang-zhengxieban-2023.公开.xlsx" 2 disclosure-contents
page "$work/out/luojiang-zhengxieban-2023.公开.xlsx" 9 disclosure-table
page "$work/out/shanghai-wanli-2024.公开.xlsx" 10 disclosure-shanghai
page "$work/out/有错误.问题清单.xlsx" 1 findings-list
page "$work/out/有错误.标注副本.xlsx" 1 annotated-findings
page "$work/out/有错误.标注副本.xlsx" 9 annotated-table
page "$work/out/汇总表.xlsx" 1 summary
