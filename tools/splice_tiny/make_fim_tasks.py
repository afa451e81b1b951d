#!/usr/bin/python3
"""Build evals/fim-heldout.jsonl: next-line FIM tasks from held-out files only.

Seeded. 150 Python tasks and 150 TypeScript/JavaScript tasks (75 + 75). Per task:
pick a held-out file of the language uniformly, a non-blank line uniformly, and a
cursor offset uniformly in [0, len(line.rstrip())) (so it may sit inside leading
indentation or mid-identifier, and the expected text is never empty);
  prefix   = text before the cursor (kept: the last PREFIX_CHARS characters, cut at a line start)
  expected = the rest of that line, without the newline
  suffix   = the text after that line's newline (kept: the first SUFFIX_CHARS characters, cut at a line end)
The stored prefix/suffix are what a harness tokenizes; PREFIX_CHARS/SUFFIX_CHARS
are far above what 768/256 tokens cover (about 3.6 characters per token).
Each line: {"id", "language", "prefix", "suffix", "expected"}; id = <language>/<file>:<line>:<col> (1-based line, 0-based col).
"""

import json
import random

from common import EVALS, SEED, WORK

PREFIX_CHARS = 4096
SUFFIX_CHARS = 2048
PLAN = [("python", 150), ("typescript", 75), ("javascript", 75)]


def main():
    rows = [json.loads(l) for l in open(WORK / "corpus.jsonl", encoding="utf-8")]
    held = sorted((r for r in rows if r["split"] == "heldout"), key=lambda r: r["id"])
    rng = random.Random(SEED + 1)
    tasks = []
    for lang, n in PLAN:
        files = [r for r in held if r["lang"] == lang]
        seen = set()
        while sum(t["language"] == lang for t in tasks) < n:
            r = rng.choice(files)
            text = r["text"]
            lines = text.split("\n")
            cand = [i for i, l in enumerate(lines) if l.strip()]
            li = rng.choice(cand)
            line = lines[li].rstrip()
            col = rng.randrange(0, len(line))
            key = (r["id"], li, col)
            if key in seen:
                continue
            seen.add(key)
            start = sum(len(l) + 1 for l in lines[:li])
            prefix = text[: start + col]
            if len(prefix) > PREFIX_CHARS:
                cut = prefix.find("\n", len(prefix) - PREFIX_CHARS)
                prefix = prefix[cut + 1 :] if 0 <= cut < start + col else prefix[-PREFIX_CHARS:]
            expected = lines[li][col:]
            suffix = "\n".join(lines[li + 1 :])
            if len(suffix) > SUFFIX_CHARS:
                cut = suffix.rfind("\n", 0, SUFFIX_CHARS)
                suffix = suffix[: cut + 1] if cut > 0 else suffix[:SUFFIX_CHARS]
            tasks.append({"id": f"{lang}/{r['id']}:{li + 1}:{col}", "language": lang, "prefix": prefix, "suffix": suffix, "expected": expected})
    EVALS.mkdir(parents=True, exist_ok=True)
    out = EVALS / "fim-heldout.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for t in tasks:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    print(f"wrote {len(tasks)} tasks to {out} from {len({t['id'].rsplit(':', 2)[0] for t in tasks})} held-out files")


if __name__ == "__main__":
    main()
