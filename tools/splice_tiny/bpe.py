#!/usr/bin/python3
"""Stage 2: train the byte-level BPE tokenizer (8192 ids) on the training split.

Counts unique GPT-2 pre-tokens (Python `re` approximation of the GPT-2 regex,
shared with tools/make_fixture_models.py) with their frequencies, then merges
greedily with incremental pair counts and a lazy max-heap (ties broken by the
pair's text, so the result is deterministic). Writes tokenizer.json and
tokenizer_config.json into runtime/models/splice-tiny/ with the fixtures'
writer (specials: <|endoftext|> <|fim_prefix|> <|fim_middle|> <|fim_suffix|>
<|fim_pad|> <|tool|>, ids 8186..8191), and checks the Python encoder against
@huggingface/tokenizers (tools/splice_tiny/tok_check.mjs) on held-out files.
"""

import hashlib
import heapq
import json
import subprocess
import time
from collections import Counter, defaultdict

from common import B2U, GPT2_SPLIT, MODEL_DIR, SPECIAL_TOKENS, VOCAB_SIZE, WORK, Encoder, HERE, REPO_ROOT, tokenizer_files, update_manifest, write_json


def load_rows(split=None):
    with open(WORK / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if split is None or r["split"] == split:
                yield r


def train_bpe(word_counts, n_base_target):
    """word_counts: Counter(str -> int). Returns (vocab str->id, merges [(a, b)])."""
    sym_str = [B2U[b] for b in range(256)]  # symbol id -> text
    vocab = {s: i for i, s in enumerate(sym_str)}
    words = []
    freqs = []
    for w, c in sorted(word_counts.items()):
        words.append([b for b in w.encode("utf-8")])
        freqs.append(c)
    pair_count = defaultdict(int)
    where = defaultdict(set)
    for idx, (seq, f) in enumerate(zip(words, freqs)):
        for p in zip(seq, seq[1:]):
            pair_count[p] += f
            where[p].add(idx)
    heap = [(-c, sym_str[a], sym_str[b], a, b) for (a, b), c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    sym_ids = {}  # merged text -> symbol id (a text reached by two merges keeps one id)
    while len(vocab) < n_base_target and heap:
        negc, sa, sb, a, b = heapq.heappop(heap)
        c = pair_count.get((a, b), 0)
        if c <= 0 or c != -negc:
            continue  # stale entry
        text = sa + sb
        if text in sym_ids:
            new = sym_ids[text]
        else:
            new = len(sym_str)
            sym_str.append(text)
            sym_ids[text] = new
        merges.append((sa, sb))
        if text not in vocab:
            vocab[text] = len(vocab)
        changed = set()
        for idx in list(where.pop((a, b), ())):
            seq = words[idx]
            f = freqs[idx]
            if len(seq) < 2:
                continue
            found = False
            for x, y in zip(seq, seq[1:]):
                if x == a and y == b:
                    found = True
                    break
            if not found:
                continue
            for p in zip(seq, seq[1:]):
                pair_count[p] -= f
                changed.add(p)
            out, i = [], 0
            while i < len(seq):
                if i + 1 < len(seq) and seq[i] == a and seq[i + 1] == b:
                    out.append(new)
                    i += 2
                else:
                    out.append(seq[i])
                    i += 1
            words[idx] = out
            for p in zip(out, out[1:]):
                pair_count[p] += f
                where[p].add(idx)
                changed.add(p)
        pair_count.pop((a, b), None)
        for p in changed:
            c = pair_count.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, sym_str[p[0]], sym_str[p[1]], p[0], p[1]))
            else:
                pair_count.pop(p, None)
    return vocab, merges


def main():
    t0 = time.time()
    counts = Counter()
    nbytes = 0
    for r in load_rows("train"):
        counts.update(GPT2_SPLIT.findall(r["text"]))
        nbytes += len(r["text"].encode("utf-8"))
    print(f"{len(counts)} unique pre-tokens over {nbytes / 1e6:.1f} MB ({time.time() - t0:.0f}s)", flush=True)
    target = VOCAB_SIZE - len(SPECIAL_TOKENS)
    vocab, merges = train_bpe(counts, target)
    t_train = time.time() - t0
    print(f"{len(merges)} merges, {len(vocab)} BPE tokens ({t_train:.0f}s)", flush=True)
    assert len(vocab) + len(SPECIAL_TOKENS) == VOCAB_SIZE
    tok_json, tok_cfg = tokenizer_files(vocab, merges, 2048)
    write_json(MODEL_DIR / "tokenizer.json", tok_json)
    write_json(MODEL_DIR / "tokenizer_config.json", tok_cfg)

    enc = Encoder(tok_json)
    stats = {}
    for split in ("train", "heldout"):
        b = t = 0
        for r in load_rows(split):
            if split == "train" and hashlib.sha256(r["id"].encode()).digest()[0] % 10:  # bytes/token on the held-out split, a 10% sample of train
                continue
            b += len(r["text"].encode("utf-8"))
            t += len(enc.encode(r["text"]))
        stats[split] = round(b / t, 3)
    print(f"bytes/token: {stats}", flush=True)

    # Python encoder == @huggingface/tokenizers (what the runtime uses) on every held-out file.
    held = [r["text"] for r in load_rows("heldout")]
    (WORK / "tok_check_input.json").write_text(json.dumps({"texts": held, "ids": [enc.encode(t) for t in held]}))
    res = subprocess.run(["node", str(HERE / "tok_check.mjs"), str(MODEL_DIR), str(WORK / "tok_check_input.json")],
                         cwd=REPO_ROOT, capture_output=True, text=True)
    print(res.stdout.strip(), res.stderr.strip())
    check = json.loads(res.stdout.strip().splitlines()[-1])
    update_manifest("tokenizer", {
        "type": "byte-level BPE (GPT-2 pre-split, Python re approximation)",
        "vocab_size": VOCAB_SIZE,
        "bpe_tokens": len(vocab),
        "merges": len(merges),
        "special_tokens": {t: VOCAB_SIZE - len(SPECIAL_TOKENS) + i for i, t in enumerate(SPECIAL_TOKENS)},
        "trained_on": "train split, unique pre-tokens with counts",
        "unique_pretokens": len(counts),
        "train_bytes": nbytes,
        "train_seconds": round(t_train, 1),
        "bytes_per_token": {"heldout": stats["heldout"], "train_10pct_sample": stats["train"]},
        "node_check": check,
    })
    if check["files_mismatched"]:
        print("WARNING: Python encoder and @huggingface/tokenizers disagree on some held-out files")


if __name__ == "__main__":
    main()
