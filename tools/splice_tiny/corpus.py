#!/usr/bin/python3
"""Stage 1: build the splice-tiny corpus and its manifest.

Sources
  * CPython's standard library as shipped by Debian (/usr/lib/python3.11, *.py),
    without test suites, codec tables, pydoc topic dumps and sysconfig data.
    /usr/lib/python3/dist-packages is never read (reserved for evaluations).
  * TypeScript/JavaScript sources of pinned npm packages, fetched with
    `npm pack <pkg>@<version>` into tools/splice_tiny/cache/npm (gitignored);
    only each package's source folders are taken (no bundles, maps, .d.ts).

Filters: UTF-8 only, 200 B <= size <= 400 KB, no minified-looking files (a line
over 1000 chars or mean line length over 100), exact-duplicate contents dropped.
Split: held-out by file, `sha256(f"{SEED}:{source}:{path}") < 3%` (seeded, stable).

Writes work/corpus.jsonl ({"id","source","path","lang","split","text"} per file)
and the "corpus" section of tools/splice_tiny/manifest.json.
"""

import fnmatch
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import CACHE, SEED, WORK, update_manifest

PY_ROOT = Path("/usr/lib/python3.11")
PY_EXCLUDE = [
    "test/*", "*/test/*", "*/tests/*", "*/idle_test/*", "site-packages/*", "dist-packages/*",
    "encodings/*", "pydoc_data/*", "_sysconfigdata*", "config-3.11-*/*", "__phello__/*",
]
PY_KEEP = ["encodings/__init__.py", "encodings/aliases.py"]

# package spec, globs of files to take inside the tarball (paths relative to package/), globs to skip
NPM_PACKAGES = [
    ("rxjs@7.8.2", ["src/**.ts"], []),
    ("mobx@7.1.3", ["src/**.ts"], []),
    ("immer@11.2.10", ["src/**.ts"], []),
    ("zod@4.6.7", ["src/**.ts"], ["*/tests/*", "*.test.ts"]),
    ("@tanstack/query-core@5.108.0", ["src/**.ts"], []),
    ("axios@1.21.1", ["lib/**.js"], []),
    ("express@5.3.0", ["lib/**.js", "index.js"], []),
    ("eslint@10.15.0", ["lib/**.js"], []),
    ("webpack@5.112.2", ["lib/**.js", "hot/*.js"], []),
    ("lodash@4.18.1", ["*.js"], ["lodash.js", "core.js", "*.min.js", "lodash.core.js"]),
    ("preact@11.2.0", ["src/**.js", "hooks/src/**.js", "compat/src/**.js", "debug/src/**.js"], []),
    ("svelte@5.57.3", ["src/**.js"], []),
]

HELDOUT_FRACTION = 0.03
MIN_BYTES, MAX_BYTES = 200, 400_000


def glob_match(path, pattern):
    """'dir/**.ext': any file below dir/ with that ending; otherwise fnmatch at the same depth."""
    if "**" in pattern:
        head, tail = pattern.split("**", 1)
        return path.startswith(head) and fnmatch.fnmatch(path.rsplit("/", 1)[-1], "*" + tail)
    return path.count("/") == pattern.count("/") and fnmatch.fnmatch(path, pattern)


def lang_of(path):
    if path.endswith(".py"):
        return "python"
    if path.endswith(".ts"):
        return "typescript"
    return "javascript"


def acceptable(text):
    n = len(text.encode("utf-8"))
    if n < MIN_BYTES or n > MAX_BYTES:
        return "size"
    lines = text.split("\n")
    if max(len(l) for l in lines) > 1000 or n / max(1, len(lines)) > 100:
        return "minified"
    if "\ue000" in text or "<|" in text and "|>" in text and any(t in text for t in ("<|endoftext|>", "<|fim_", "<|tool|>")):
        return "special"
    return None


def split_of(source, path):
    h = hashlib.sha256(f"{SEED}:{source}:{path}".encode()).digest()
    return "heldout" if int.from_bytes(h[:8], "big") / 2**64 < HELDOUT_FRACTION else "train"


def python_files():
    out = []
    for p in sorted(PY_ROOT.rglob("*.py")):
        rel = p.relative_to(PY_ROOT).as_posix()
        if rel not in PY_KEEP and any(fnmatch.fnmatch(rel, pat) for pat in PY_EXCLUDE):
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        out.append((rel, text))
    return out


def npm_tarball(spec):
    dest = CACHE / "npm"
    dest.mkdir(parents=True, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    fname = f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    path = dest / fname
    if not path.exists():
        subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(dest)], check=True, stdout=subprocess.DEVNULL)
    return path


def npm_files(spec, include, exclude):
    tgz = npm_tarball(spec)
    data = tgz.read_bytes()
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        for m in members:
            rel = m.name.split("/", 1)[1]  # strip "package/"
            if rel.endswith(".d.ts") or rel.endswith(".map"):
                continue
            if not any(glob_match(rel, pat) for pat in include):
                continue
            if any(fnmatch.fnmatch(rel, pat) for pat in exclude):
                continue
            try:
                text = tar.extractfile(m).read().decode("utf-8")
            except UnicodeDecodeError:
                continue
            out.append((rel, text))
        pj = json.loads(tar.extractfile("package/package.json").read())
    return out, hashlib.sha256(data).hexdigest(), pj.get("license")


def main():
    t0 = time.time()
    WORK.mkdir(parents=True, exist_ok=True)
    seen = set()
    rows = []
    sources = []
    skipped = Counter()

    def add(source, files, lang_fn, extra):
        stats = defaultdict(lambda: {"files": 0, "bytes": 0})
        for rel, text in files:
            text = text.replace("\r\n", "\n")
            why = acceptable(text)
            if why:
                skipped[why] += 1
                continue
            h = hashlib.sha256(text.encode()).hexdigest()
            if h in seen:
                skipped["duplicate"] += 1
                continue
            seen.add(h)
            split = split_of(source, rel)
            lang = lang_fn(rel)
            rows.append({"id": f"{source}/{rel}", "source": source, "path": rel, "lang": lang, "split": split, "text": text})
            for key in ("all", split):
                stats[key]["files"] += 1
                stats[key]["bytes"] += len(text.encode("utf-8"))
        entry = {"source": source, **extra, "files": stats["all"]["files"], "bytes": stats["all"]["bytes"],
                 "train_files": stats["train"]["files"], "train_bytes": stats["train"]["bytes"],
                 "heldout_files": stats["heldout"]["files"], "heldout_bytes": stats["heldout"]["bytes"]}
        sources.append(entry)
        print(f"  {source:32s} {entry['files']:5d} files {entry['bytes'] / 1e6:7.2f} MB  (held-out {entry['heldout_files']})", flush=True)

    print("python stdlib ...", flush=True)
    add("cpython-stdlib-3.11", python_files(), lang_of,
        {"license": "PSF-2.0", "root": str(PY_ROOT), "python_version": sys.version.split()[0], "exclude": PY_EXCLUDE, "keep": PY_KEEP})
    print("npm packages ...", flush=True)
    for spec, include, exclude in NPM_PACKAGES:
        files, sha, lic = npm_files(spec, include, exclude)
        add(spec, files, lang_of, {"license": lic, "tarball_sha256": sha, "include": include, "exclude": exclude})

    with open(WORK / "corpus.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

    by_lang = defaultdict(lambda: {"files": 0, "bytes": 0, "heldout_files": 0, "heldout_bytes": 0})
    for r in rows:
        b = len(r["text"].encode("utf-8"))
        by_lang[r["lang"]]["files"] += 1
        by_lang[r["lang"]]["bytes"] += b
        if r["split"] == "heldout":
            by_lang[r["lang"]]["heldout_files"] += 1
            by_lang[r["lang"]]["heldout_bytes"] += b
    manifest = {
        "seed": SEED,
        "heldout_rule": f"sha256('{SEED}:<source>:<path>') < {HELDOUT_FRACTION} of 2^64 (by file)",
        "filters": {"min_bytes": MIN_BYTES, "max_bytes": MAX_BYTES, "max_line": 1000, "max_mean_line": 100,
                    "dedupe": "exact content sha256", "skipped": dict(sorted(skipped.items()))},
        "sources": sources,
        "by_language": dict(sorted(by_lang.items())),
        "total_files": len(rows),
        "total_bytes": sum(len(r["text"].encode("utf-8")) for r in rows),
        "heldout_files": sum(r["split"] == "heldout" for r in rows),
        "heldout_bytes": sum(len(r["text"].encode("utf-8")) for r in rows if r["split"] == "heldout"),
    }
    update_manifest("corpus", manifest)
    print(f"corpus: {manifest['total_files']} files, {manifest['total_bytes'] / 1e6:.2f} MB, "
          f"held-out {manifest['heldout_files']} files ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
