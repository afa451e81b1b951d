#!/usr/bin/python3
"""Writes runtime/models/fixtures/tokenizers/qwen2-bpe/: a small byte-level BPE tokenizer with Qwen2's exact
configuration (NFC normalizer; Split on Qwen2's regex, isolated; ByteLevel without its own regex; ByteLevel
decoder), whose merges are trained by splice-tiny's BPE trainer (tools/splice_tiny/bpe.py, train_bpe) on
CPython's standard library sources (/usr/lib/python3.11, never dist-packages). Deterministic.

Needs Debian's python3-regex (for \\p{L}); the tests only read the written files.
Usage: python3 tools/make_qwen2_bpe_fixture.py [--merges 3000] [--mb 4]
"""

import argparse
import json
import sys
import types
import unicodedata
from collections import Counter
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "runtime" / "models" / "fixtures" / "tokenizers" / "qwen2-bpe"
STDLIB = Path("/usr/lib/python3.11")
QWEN2_SPLIT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def load_train_bpe():
    """bpe.py's train_bpe, without its splice-tiny stage imports (those pull in torch): they are stubbed, unused."""
    stub = types.ModuleType("common")
    for name in ("B2U", "GPT2_SPLIT", "MODEL_DIR", "SPECIAL_TOKENS", "VOCAB_SIZE", "WORK", "Encoder", "HERE",
                 "REPO_ROOT", "tokenizer_files", "update_manifest", "write_json"):
        setattr(stub, name, None)
    sys.modules["common"] = stub
    sys.path.insert(0, str(HERE / "splice_tiny"))
    import bpe  # noqa: E402

    # train_bpe reads the byte table as the module global B2U.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    bpe.B2U = {b: chr(c) for b, c in zip(bs, cs)}
    return bpe.train_bpe


def corpus(mb):
    """The stdlib's .py files in sorted order (dist-packages/site-packages excluded), up to `mb` megabytes."""
    out, total = [], 0
    for p in sorted(STDLIB.rglob("*.py")):
        rel = p.relative_to(STDLIB).parts
        if rel and rel[0] in ("dist-packages", "site-packages"):
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        out.append(text)
        total += len(text.encode("utf-8"))
        if total >= mb * 1e6:
            break
    return out, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--merges", type=int, default=3000)
    ap.add_argument("--mb", type=float, default=4)
    args = ap.parse_args()
    texts, nbytes = corpus(args.mb)
    split = regex.compile(QWEN2_SPLIT)
    counts = Counter()
    for t in texts:
        counts.update(split.findall(unicodedata.normalize("NFC", t)))
    vocab, merges = load_train_bpe()(counts, 256 + args.merges)
    print(f"{len(texts)} files, {nbytes / 1e6:.1f} MB, {len(counts)} pre-tokens -> {len(merges)} merges, {len(vocab)} tokens")
    added = [{"id": len(vocab) + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(SPECIALS)]
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_SPLIT}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        ]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }
    config = {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
              "bos_token": None, "unk_token": None, "clean_up_tokenization_spaces": False, "model_max_length": 4096,
              "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added}}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (OUT / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (OUT / "README.md").write_text(
        "# qwen2-bpe\n\nA byte-level BPE tokenizer with Qwen2's configuration (NFC; Split on Qwen2's regex, isolated; "
        f"ByteLevel) and {len(merges)} merges trained by tools/splice_tiny/bpe.py on {len(texts)} files "
        f"({nbytes / 1e6:.1f} MB) of CPython's standard library. Written by tools/make_qwen2_bpe_fixture.py; "
        "used by the pair-validity agreement test (runtime/src/bytes/BytePairRule.test.ts).\n", encoding="utf-8")


if __name__ == "__main__":
    main()
