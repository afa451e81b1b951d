#!/usr/bin/python3
"""Stage 3: ToolGen offline marks. Runs marks_py.py (Jedi, Python) and marks_ts.mjs
(TypeScript language service, TS/JS) side by side, one core each, with time budgets,
and records their counts in the "marks" section of tools/splice_tiny/manifest.json.

    /usr/bin/python3 tools/splice_tiny/marks.py [--budget-py 300] [--budget-ts 200]
"""

import argparse
import json
import subprocess
import sys

from common import HERE, WORK, update_manifest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget-py", type=float, default=300)
    ap.add_argument("--budget-ts", type=float, default=200)
    ap.add_argument("--record-only", action="store_true", help="only (re)write the manifest section from work/*_stats.json")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if not args.record_only:
        run(args)
    record()


def run(args):
    py = subprocess.Popen([sys.executable, str(HERE / "marks_py.py"), "--budget", str(args.budget_py)],
                          stdout=open(WORK / "marks_py.log", "w"), stderr=subprocess.STDOUT)
    ts = subprocess.Popen(["node", str(HERE / "marks_ts.mjs"), "--budget", str(args.budget_ts)],
                          stdout=open(WORK / "marks_ts.log", "w"), stderr=subprocess.STDOUT)
    if py.wait() or ts.wait():
        raise SystemExit("a marks stage failed; see work/marks_py.log, work/marks_ts.log")


def record():
    stats = {"python": json.loads((WORK / "marks_python_stats.json").read_text()),
             "typescript_javascript": json.loads((WORK / "marks_ts_stats.json").read_text())}
    stats["rule"] = ("member access obj.name: completions requested right after the dot on the file as it is; "
                     "<|tool|> inserted before name when the tool proposed it (TS: entries of kind 'warning' ignored)")
    stats["total_marks"] = stats["python"]["marks"] + stats["typescript_javascript"]["marks"]
    stats["total_files_marked"] = stats["python"]["files_marked"] + stats["typescript_javascript"]["files_marked"]
    update_manifest("marks", stats)
    print(json.dumps({k: stats[k] for k in ("total_marks", "total_files_marked")}))


if __name__ == "__main__":
    main()
