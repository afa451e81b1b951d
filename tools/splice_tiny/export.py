#!/usr/bin/python3
"""Stage 5: export a splice-tiny checkpoint to runtime/models/splice-tiny/ and verify it.

Writes config.json and onnx/model.onnx (the fixtures' exporter: Optimum
decoder-with-past I/O, opset 17, dynamic batch/seq/past; RoPE from position_ids;
causal mask by cache index), then PyTorch reference logits for a real held-out
code sequence (work/onnx_reference.json) and runs tools/splice_tiny/check_onnx.mjs,
which compares onnxruntime-node against them: full forward, prefill + single-token
steps through the KV cache, and a 2048-token forward.

    /usr/bin/python3 tools/splice_tiny/export.py [--ckpt work/train/final.pt]
"""

import argparse
import json
import subprocess
import time
from pathlib import Path

import torch

from common import HERE, MODEL_DIR, REPO_ROOT, WORK, Encoder, config_json, forward_logits, load_checkpoint, mfm, set_threads, update_manifest


def reference(model, spec, enc, path):
    held = [json.loads(l) for l in open(WORK / "corpus.jsonl", encoding="utf-8")]
    held = sorted((r for r in held if r["split"] == "heldout"), key=lambda r: r["id"])
    stream = []
    for r in held:
        stream += enc.encode(r["text"]) + [enc.eot]
        if len(stream) >= 2048:
            break
    short = stream[:96]
    long = stream[:2048]
    with torch.no_grad():
        ls = forward_logits(model, torch.tensor([short]))[0]
        ll = forward_logits(model, torch.tensor([long]))[0]
    rows_s = list(range(0, 96, 7)) + [95]
    rows_l = [0, 511, 1024, 2047]
    path.write_text(json.dumps({
        "short_ids": short, "short_rows": rows_s, "short_logits": [ls[i].tolist() for i in rows_s],
        "short_argmax": ls.argmax(-1).tolist(),
        "long_ids": long, "long_rows": rows_l, "long_logits": [ll[i].tolist() for i in rows_l],
    }))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", type=Path, default=WORK / "train" / "final.pt")
    args = ap.parse_args()
    set_threads(2)
    model, ck = load_checkpoint(args.ckpt)
    spec = ck["spec"]
    enc = Encoder.load()
    t0 = time.time()
    info = {
        "name": "splice-tiny",
        "params": ck["params"],
        "train_steps": ck["step"],
        "train_tokens": ck["tokens"],
        "train_wall_s": round(ck["wall"], 1),
        "fim": {"rate": ck["config"]["fim_rate"], "spm_share": ck["config"]["spm_rate"], "cuts": "character offsets"},
        "tool_token": "<|tool|>",
        "card": "MODEL.md",
    }
    cfg = config_json(spec, enc.eot, info)
    mfm.write_json(MODEL_DIR / "config.json", cfg)
    onnx_path = MODEL_DIR / "onnx" / "model.onnx"
    mfm.export_onnx(model, spec, onnx_path)
    print(f"torch full-vs-incremental max abs diff: {mfm.self_check_incremental(model, spec):.3g}")
    ref = WORK / "onnx_reference.json"
    reference(model, spec, enc, ref)
    res = subprocess.run(["node", str(HERE / "check_onnx.mjs"), str(MODEL_DIR), str(ref)], cwd=REPO_ROOT, capture_output=True, text=True)
    print(res.stdout.strip(), res.stderr.strip())
    check = json.loads(res.stdout.strip().splitlines()[-1])
    log = [json.loads(l) for l in open(Path(ck["args"]["out"]) / "log.jsonl")] if (Path(ck["args"]["out"]) / "log.jsonl").exists() else []
    log = [r for r in log if r["step"] <= ck["step"]]
    evals = [r for r in log if "heldout_loss" in r]
    update_manifest("training", {
        "steps": ck["step"], "tokens": ck["tokens"], "wall_s": round(ck["wall"], 1), "params": ck["params"],
        "threads": 2, "args": ck["args"], "config": ck["config"], "sampler_stats": ck["sampler_stats"],
        "final_train_loss_20step_mean": round(sum(r["loss"] for r in log[-20:]) / max(1, len(log[-20:])), 4) if log else None,
        "last_validation": evals[-1] if evals else None,
    })
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    update_manifest("export", {"checkpoint": str(args.ckpt.relative_to(HERE)) if args.ckpt.is_relative_to(HERE) else str(args.ckpt),
                               "onnx_bytes": onnx_path.stat().st_size, "model_dir_bytes": size,
                               "onnx_vs_torch": check, "seconds": round(time.time() - t0, 1)})
    if not check.get("ok"):
        raise SystemExit("ONNX check failed")


if __name__ == "__main__":
    main()
