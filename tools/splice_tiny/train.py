#!/usr/bin/python3
"""Stage 4: train splice-tiny (FIM + ToolGen marks) on 2 CPU threads.

Each training row is packed from samples until it is full (the last one cut):
  * pick a language (python 0.45, typescript 0.25, javascript 0.30), then a
    training file with probability proportional to its size (x MARKED_WEIGHT when
    the file carries ToolGen marks), then a window of whole lines from it;
  * with probability FIM_RATE (when at least 64 tokens of the row are left; a
    row's very short tail stays plain text) a window of log-uniform 48..(tokens left)
    tokens is FIM-transformed at CHARACTER offsets
    (so cuts fall inside tokens): with probability 1 - LINE_FIM_RATE two uniform
    random cuts (prefix/middle/suffix), otherwise a uniform random cut whose
    middle ends at the end of its line or 1-3 lines later (the next-line
    completion shape); then SPM with probability SPM_RATE, else PSM:
        PSM: <|fim_prefix|> P <|fim_suffix|> S <|fim_middle|> M <|endoftext|>
        SPM: <|fim_suffix|> S <|fim_prefix|> P <|fim_middle|> M <|endoftext|>
    otherwise the window is plain left-to-right text (<|endoftext|> only when
    the window reaches the end of the file);
  * marked files have <|tool|> inserted before each member name the language
    service had proposed correctly (marks_py.py, marks_ts.mjs).
Loss: next-token cross-entropy on every position. Row length schedule: per 10
steps, 8 steps of 8x512, one of 4x1024, one of 2x2048 (4096 tokens each), so
every position up to 2048 is trained. AdamW (0.9, 0.95), wd 0.1 on matrices,
linear warm-up then cosine decay to 10%, grad clip 1.0. Everything is seeded;
checkpoints (model, optimizer, data RNG) make a run resumable with --resume.
"""

import argparse
import bisect
import hashlib
import json
import math
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from common import MARK_CHAR, MODEL_SPEC, SEED, WORK, Encoder, build_model, count_params, fast_forward, forward_logits, set_threads

LANG_WEIGHTS = {"python": 0.45, "typescript": 0.25, "javascript": 0.30}
FIM_RATE = 0.7  # per sample; FIM samples are shorter, so about 45% of tokens
SPM_RATE = 0.25
LINE_FIM_RATE = 0.6
MARKED_WEIGHT = 3.0
CHARS_PER_TOKEN = 3.6
TOKENS_PER_STEP = 4096


def schedule(step):
    """(batch, seq_len) for a step: 8/10 at 512, 1/10 at 1024, 1/10 at 2048."""
    r = step % 10
    if r == 9:
        return 2, 2048
    if r == 4:
        return 4, 1024
    return 8, 512


def load_training_files():
    rows = [json.loads(l) for l in open(WORK / "corpus.jsonl", encoding="utf-8")]
    marks = {}
    for name in ("marks_python.jsonl", "marks_ts.jsonl"):
        p = WORK / name
        if p.exists():
            for l in open(p, encoding="utf-8"):
                m = json.loads(l)
                marks[m["id"]] = m["offsets"]
    files = {lang: [] for lang in LANG_WEIGHTS}
    heldout = []
    n_marks = 0
    for r in rows:
        if r["split"] != "train":
            heldout.append(r)
            continue
        text = r["text"]
        marked = r["id"] in marks
        if marked:
            offs = sorted(set(marks[r["id"]]), reverse=True)
            for o in offs:
                text = text[:o] + MARK_CHAR + text[o:]
            n_marks += len(offs)
        files[r["lang"]].append((r["id"], text, marked))
    return files, heldout, n_marks, len(marks)


class Sampler:
    def __init__(self, files, enc, seed, cfg):
        self.enc = enc
        self.cfg = cfg
        self.rng = random.Random(seed)
        self.langs = sorted(files)
        self.lang_w = [LANG_WEIGHTS[l] for l in self.langs]
        self.files = {}
        for lang in self.langs:
            fl = sorted(files[lang])
            cum, tot = [], 0.0
            for _, text, marked in fl:
                tot += len(text) * (MARKED_WEIGHT if marked else 1.0)
                cum.append(tot)
            self.files[lang] = (fl, cum, tot)
        self.stats = {"samples": 0, "fim_psm": 0, "fim_spm": 0, "line_fim": 0, "marked_samples": 0, "tool_tokens": 0}

    def pick_file(self):
        lang = self.rng.choices(self.langs, self.lang_w)[0]
        fl, cum, tot = self.files[lang]
        i = bisect.bisect_right(cum, self.rng.random() * tot)
        return fl[min(i, len(fl) - 1)]

    def window(self, text, n_chars):
        if len(text) <= n_chars:
            return text, True
        start = self.rng.randrange(0, len(text) - n_chars // 2)
        if start:
            nl = text.find("\n", start)
            start = 0 if nl < 0 else nl + 1
        end = min(len(text), start + n_chars)
        if end < len(text):
            nl = text.rfind("\n", start, end)
            if nl > start:
                end = nl + 1
        return text[start:end], end >= len(text)

    def sample(self, n_tokens):
        rng, enc, c = self.rng, self.enc, self.cfg
        _, text, marked = self.pick_file()
        fim = rng.random() < c["fim_rate"] and n_tokens >= 64  # a row's very short tail stays plain text
        if fim:  # FIM windows: log-uniform 48..n_tokens tokens, so a row holds several FIM transitions
            n_tokens = int(math.exp(rng.uniform(math.log(48), math.log(n_tokens))))
        w, at_end = self.window(text, int(n_tokens * CHARS_PER_TOKEN * rng.uniform(0.6, 1.1)))
        self.stats["samples"] += 1
        self.stats["marked_samples"] += marked
        if fim and len(w) > 2:
            i = rng.randrange(0, len(w) + 1)
            if rng.random() < c["line_fim_rate"]:
                j = i
                for _ in range(rng.choice([1, 1, 1, 2, 3, 4])):
                    nl = w.find("\n", j)
                    j = len(w) if nl < 0 else nl + 1
                self.stats["line_fim"] += 1
            else:
                j = rng.randrange(0, len(w) + 1)
                i, j = min(i, j), max(i, j)
            p, m, s = enc.encode(w[:i]), enc.encode(w[i:j]), enc.encode(w[j:])
            if rng.random() < c["spm_rate"]:
                ids = [enc.fim_suffix] + s + [enc.fim_prefix] + p + [enc.fim_middle] + m + [enc.eot]
                self.stats["fim_spm"] += 1
            else:
                ids = [enc.fim_prefix] + p + [enc.fim_suffix] + s + [enc.fim_middle] + m + [enc.eot]
                self.stats["fim_psm"] += 1
        else:
            ids = enc.encode(w) + ([enc.eot] if at_end else [])
        return ids

    def row(self, n):
        ids = []
        while len(ids) < n:
            ids += self.sample(n - len(ids))
        ids = ids[:n]
        self.stats["tool_tokens"] += ids.count(self.enc.tool)
        return ids

    def batch(self, b, t):
        return torch.tensor([self.row(t + 1) for _ in range(b)], dtype=torch.int64)


def heldout_rows(heldout, enc, seq_len, max_rows):
    """Fixed held-out validation rows (plain text, files joined by <|endoftext|>)."""
    stream = []
    for r in sorted(heldout, key=lambda r: r["id"]):
        stream += enc.encode(r["text"]) + [enc.eot]
    rows = [stream[i : i + seq_len + 1] for i in range(0, len(stream) - seq_len - 1, seq_len)]
    rng = random.Random(SEED)
    rng.shuffle(rows)
    return torch.tensor(rows[:max_rows], dtype=torch.int64)


def loss_of(model, spec, ids):
    x, y = ids[:, :-1], ids[:, 1:]
    logits = fast_forward(model, x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--fim-rate", type=float, default=FIM_RATE)
    ap.add_argument("--spm-rate", type=float, default=SPM_RATE)
    ap.add_argument("--line-fim-rate", type=float, default=LINE_FIM_RATE)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--ckpt-every", type=int, default=50)
    ap.add_argument("--out", type=Path, default=WORK / "train")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    threads = set_threads(args.threads)
    torch.manual_seed(SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    enc = Encoder.load()
    spec = dict(MODEL_SPEC, vocab_size=enc.vocab_size)
    files, heldout, n_marks, n_marked_files = load_training_files()
    fim_cfg = {"fim_rate": args.fim_rate, "spm_rate": args.spm_rate, "line_fim_rate": args.line_fim_rate}
    sampler = Sampler(files, enc, SEED, fim_cfg)
    val = heldout_rows(heldout, enc, 512, 24)

    model = build_model(spec)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "embed" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "embed" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    step, tokens, wall = 0, 0, 0.0
    log_path = args.out / "log.jsonl"
    ckpt_path = args.out / "ckpt.pt"
    if args.resume and ckpt_path.exists():
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sampler.rng.setstate(ck["rng"])
        sampler.stats = ck["sampler_stats"]
        step, tokens, wall = ck["step"], ck["tokens"], ck["wall"]
        print(f"resumed at step {step}", flush=True)
    else:
        log_path.write_text("")
    n_params = count_params(model)
    with torch.no_grad():  # the fast training forward is the exported (contract) forward
        probe = val[:2, :256]
        diff = (fast_forward(model, probe) - forward_logits(model, probe)).abs().max().item()
    assert diff < 1e-4, diff
    print(f"params {n_params} ({n_params / 1e6:.2f}M), threads {threads}, marked files {n_marked_files}, marks {n_marks}", flush=True)

    def save(final=False):
        ck = {"model": model.state_dict(), "opt": opt.state_dict(), "rng": sampler.rng.getstate(), "sampler_stats": sampler.stats,
              "step": step, "tokens": tokens, "wall": wall, "spec": spec, "params": n_params, "args": vars(args) | {"out": str(args.out)},
              "config": {"lang_weights": LANG_WEIGHTS, **fim_cfg, "fim_window_tokens": "log-uniform 48..row",
                         "marked_weight": MARKED_WEIGHT, "tokens_per_step": TOKENS_PER_STEP, "marked_files": n_marked_files, "marks": n_marks}}
        torch.save(ck, args.out / "ckpt.tmp")
        (args.out / "ckpt.tmp").replace(ckpt_path)
        if final:
            torch.save({"model": model.state_dict(), "spec": spec, "step": step, "tokens": tokens, "wall": wall, "params": n_params,
                        "sampler_stats": sampler.stats, "config": ck["config"], "args": ck["args"]}, args.out / "final.pt")

    def log(obj):
        with open(log_path, "a") as f:
            f.write(json.dumps(obj) + "\n")

    model.train()
    while step < args.steps:
        t0 = time.time()
        b, t = schedule(step)
        ids = sampler.batch(b, t)
        lr = lr_at(step, args.steps, args.lr, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        loss = loss_of(model, spec, ids)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0).item()
        opt.step()
        step += 1
        tokens += b * t
        dt = time.time() - t0
        wall += dt
        rec = {"step": step, "tokens": tokens, "seq_len": t, "loss": round(loss.item(), 4), "lr": lr, "gnorm": round(gnorm, 3),
               "step_s": round(dt, 3), "wall_s": round(wall, 1)}
        if step % args.eval_every == 0 or step == args.steps:
            model.eval()
            with torch.no_grad():
                vl = sum(loss_of(model, spec, val[i : i + 8]).item() * len(val[i : i + 8]) for i in range(0, len(val), 8)) / len(val)
            model.train()
            rec["heldout_loss"] = round(vl, 4)
        log(rec)
        if step % 10 == 0 or "heldout_loss" in rec:
            print(json.dumps(rec), flush=True)
        if step % args.ckpt_every == 0 or step == args.steps:
            save(final=step == args.steps)
    print(f"done: {step} steps, {tokens} tokens, {wall:.0f}s", flush=True)


if __name__ == "__main__":
    main()
