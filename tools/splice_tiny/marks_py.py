#!/usr/bin/python3
"""Stage 3a: ToolGen offline marks for Python training files, with Jedi (python3-jedi).

For every member access `obj.name` (a NAME token right after a `.` that follows a
name, `)`, `]` or a string; not inside `from . import`), ask Jedi for completions at
the position right after the dot, on the file as it is. If the true member name is
among them, the character offset of `name` gets a <|tool|> mark.

Cost is bounded: training files are visited in a seeded random order, files over
MAX_FILE_BYTES are skipped, each Jedi call may take at most 2 s, and the stage stops
starting new files after --budget seconds. Only fully processed files count as
marked (their unmarked member accesses are real "no tool here" examples). Jedi's
project is restricted to the standard library (never dist-packages).

Writes work/marks_python.jsonl ({"id", "offsets", "checked"}) and
work/marks_python_stats.json.
"""

import argparse
import io
import json
import keyword
import random
import signal
import time
import tokenize

from common import SEED, WORK

PY_ROOT = "/usr/lib/python3.11"
MAX_FILE_BYTES = 40_000


class CallTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CallTimeout()


def member_accesses(text):
    """[(char_offset, line (1-based), col (0-based), name)] of `x.name` member accesses."""
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    out = []
    toks = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    for i in range(2, len(toks)):
        t, dot, base = toks[i], toks[i - 1], toks[i - 2]
        if t.type != tokenize.NAME or keyword.iskeyword(t.string) or dot.string != ".":
            continue
        if dot.end != t.start:  # `x. name` (rare) — keep it simple
            continue
        ok_base = (base.type == tokenize.NAME and base.string not in ("from", "import") and not
                   (keyword.iskeyword(base.string) and base.string not in ("self", "None", "True", "False"))) \
            or base.string in (")", "]") or base.type == tokenize.STRING
        if not ok_base:
            continue
        line, col = t.start
        # tokenize columns are in characters of the (str) line
        out.append((line_starts[line - 1] + col, line, col, t.string))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=300.0, help="seconds; no new file is started after this")
    args = ap.parse_args()

    import jedi

    project = jedi.Project(PY_ROOT, sys_path=[PY_ROOT, PY_ROOT + "/lib-dynload"], smart_sys_path=False)
    rows = []
    with open(WORK / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["split"] == "train" and r["lang"] == "python":
                rows.append(r)
    rows.sort(key=lambda r: r["id"])
    random.Random(SEED).shuffle(rows)

    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.time()
    stats = {"tool": f"jedi {jedi.__version__}", "budget_s": args.budget, "max_file_bytes": MAX_FILE_BYTES,
             "files_visited": 0, "files_marked": 0, "files_skipped_size": 0, "files_failed": 0,
             "member_accesses_checked": 0, "marks": 0, "call_timeouts": 0, "bytes_marked_files": 0}
    with open(WORK / "marks_python.jsonl", "w", encoding="utf-8") as out:
        for r in rows:
            if time.time() - t0 > args.budget:
                break
            text = r["text"]
            stats["files_visited"] += 1
            if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                stats["files_skipped_size"] += 1
                continue
            try:
                accesses = member_accesses(text)
                script = jedi.Script(code=text, path=f"{PY_ROOT}/{r['path']}", project=project)
            except Exception:
                stats["files_failed"] += 1
                continue
            offsets = []
            for off, line, col, name in accesses:
                signal.setitimer(signal.ITIMER_REAL, 2.0)
                try:
                    names = {c.name for c in script.complete(line, col)}
                except CallTimeout:
                    stats["call_timeouts"] += 1
                    names = set()
                except Exception:
                    names = set()
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                if name in names:
                    offsets.append(off)
            out.write(json.dumps({"id": r["id"], "offsets": offsets, "checked": len(accesses)}) + "\n")
            out.flush()
            stats["files_marked"] += 1
            stats["member_accesses_checked"] += len(accesses)
            stats["marks"] += len(offsets)
            stats["bytes_marked_files"] += len(text.encode("utf-8"))
    stats["seconds"] = round(time.time() - t0, 1)
    (WORK / "marks_python_stats.json").write_text(json.dumps(stats, indent=2))
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
