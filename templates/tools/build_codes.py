#!/usr/bin/env python3
"""Rebuild templates/function_codes.csv and templates/economic_codes.csv.

Inputs: the reference lists in ../shared/data (observed in published documents, each
with year and URL; a broader partly-from-memory list), plus KNOWLEDGE below: codes the
project's maintainers vouch for (standard 2023 政府收支分类科目 entries that county
budgets use every year). Every output row says where it comes from.

Precedence for a code's name: observed 2021+ > broader list > knowledge. Run from the
repository root:  python3 templates/tools/build_codes.py ../shared/data
"""
import csv
import sys
from pathlib import Path

KNOWLEDGE_FUNCTION = [
    # 类 (2023 科目, 类级)
    ("234", "抗疫特别国债安排的支出", 1),
    # 教育
    ("20501", "教育管理事务", 2), ("2050101", "行政运行", 3), ("2050102", "一般行政管理事务", 3),
    ("2050199", "其他教育管理事务支出", 3),
    ("2050201", "学前教育", 3), ("2050202", "小学教育", 3), ("2050203", "初中教育", 3),
    ("2050299", "其他普通教育支出", 3),
    ("20503", "职业教育", 2), ("2050302", "中等职业教育", 3),
    ("20507", "特殊教育", 2),
    ("20508", "进修及培训", 2), ("2050801", "教师进修", 3),
    # 社会保障和就业
    ("2089901", "其他社会保障和就业支出", 3,
     "seed data: shared/data/seed-luojiang-zhengxieban-2023.toml (2023 科目) and maintainers' knowledge"),
    # 城乡社区
    ("21208", "国有土地使用权出让收入安排的支出", 2), ("2120801", "征地和拆迁补偿支出", 3),
    ("2120802", "土地开发支出", 3), ("2120899", "其他国有土地使用权出让收入安排的支出", 3),
    ("21213", "城市基础设施配套费安排的支出", 2), ("2121301", "城市公共设施", 3),
    ("2121399", "其他城市基础设施配套费安排的支出", 3),
    ("2120303", "小城镇基础设施建设", 3),
    # 住房保障
    ("22101", "保障性安居工程支出", 2),
]

def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

def main(shared):
    shared = Path(shared)
    out = {}
    for r in read(shared / "function_codes_observed.csv"):
        out.setdefault(r["code"], (r["name"], r["level"],
                       f"observed {r['year_seen']}: {r['source_url']}"))
    for r in read(shared / "function_codes_partial.csv"):
        out.setdefault(r["code"], (r["name"], r["level"], r["source"]))
    for code, name, level, *prov in KNOWLEDGE_FUNCTION:
        prov = prov[0] if prov else "knowledge: yusuan maintainers (2023 科目); verify against the official list"
        out.setdefault(code, (name, str(level), prov))
    write(Path("templates/function_codes.csv"), out)

    eco = {}
    observed = {r["code"]: r for r in read(shared / "economic_codes_observed.csv")}
    for r in read(shared / "economic_codes.csv"):
        o = observed.get(r["code"])
        if o:
            eco[r["code"]] = (o["name"], r["level"], f"observed {o['year_seen']}: {o['source_url']}")
        else:
            eco[r["code"]] = (r["name"], r["level"], r["source"])
    for code, o in observed.items():
        eco.setdefault(code, (o["name"], o["level"], f"observed {o['year_seen']}: {o['source_url']}"))
    write(Path("templates/economic_codes.csv"), eco)

def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "level", "provenance"])
        for code in sorted(rows):
            name, level, prov = rows[code]
            w.writerow([code, name, level, prov])

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
