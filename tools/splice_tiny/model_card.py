#!/usr/bin/python3
"""Stage 8: write runtime/models/splice-tiny/MODEL.md from tools/splice_tiny/manifest.json
(every number in the card is read from the manifest section its stage wrote) and copy
the manifest next to the model as splice_tiny_manifest.json.

    /usr/bin/python3 tools/splice_tiny/model_card.py
"""

import json
import shutil

from common import MANIFEST, MODEL_DIR, read_json


def mb(n):
    return f"{n / 1e6:.2f} MB"


def main():
    m = read_json(MANIFEST)
    cfg = read_json(MODEL_DIR / "config.json")
    corpus, tok, marks, tr, ex, ev = m["corpus"], m["tokenizer"], m["marks"], m["training"], m["export"], m["eval"]
    held, fim = ev["heldout"], ev["fim"]
    L = []
    w = L.append
    w("# splice-tiny")
    w("")
    w("Splice's embedded default code model: a 7M-parameter Llama-style decoder trained from scratch on CPU "
      "for fill-in-the-middle completion of Python and TypeScript/JavaScript, with FIM special tokens and a "
      "ToolGen tool-trigger mark (`<|tool|>`). It is a small demonstration model: it completes short "
      "identifiers and common idioms, it is not a substitute for a real code LLM "
      "(point `splice.modelPath` at one).")
    w("")
    w("Everything here is produced by `tools/splice_tiny/` (see its README); each number below names the "
      "command that computes it. `tools/splice_tiny/manifest.json` (copied here as `splice_tiny_manifest.json`) "
      "holds the raw values.")
    w("")
    w("## Architecture")
    w("")
    w("| field | value |")
    w("|---|---|")
    n_params = tr["params"]
    emb = cfg["vocab_size"] * cfg["hidden_size"]
    rows = [
        ("model_type", "llama (RoPE, RMSNorm, SwiGLU MLP, grouped-query attention)"),
        ("parameters", f"{n_params:,} ({n_params / 1e6:.2f}M; embedding {emb:,}, untied LM head {emb:,})"),
        ("hidden_size / intermediate_size", f"{cfg['hidden_size']} / {cfg['intermediate_size']}"),
        ("layers", cfg["num_hidden_layers"]),
        ("attention heads / KV heads / head_dim", f"{cfg['num_attention_heads']} / {cfg['num_key_value_heads']} / {cfg['head_dim']}"),
        ("RoPE", f"half-split (rotate_half), theta {cfg['rope_theta']:g}, full rotary, no scaling"),
        ("max_position_embeddings", cfg["max_position_embeddings"]),
        ("vocab", f"{cfg['vocab_size']} (byte-level BPE, {tok['merges']} merges + 6 special tokens)"),
        ("dtype", "float32 weights and KV cache"),
        ("ONNX", f"onnx/model.onnx, opset 17, Optimum decoder-with-past I/O, {mb(ex['onnx_bytes'])}"),
    ]
    for k, v in rows:
        w(f"| {k} | {v} |")
    w("")
    w("Special tokens (ids): " + ", ".join(f"`{t}` {i}" for t, i in tok["special_tokens"].items()) + ". "
      "`tokenizer_config.json` names them in `fim_prefix_token`, `fim_suffix_token`, `fim_middle_token`, "
      "`tool_token`, `eos_token`. FIM prompt layout (PSM): `<|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|>`; "
      "the model ends a middle with `<|endoftext|>`.")
    w("")
    w("## Training data")
    w("")
    w(f"{corpus['total_files']} files, {mb(corpus['total_bytes'])}; held out by file (seeded hash, 3%): "
      f"{corpus['heldout_files']} files, {mb(corpus['heldout_bytes'])}. Never read: `/usr/lib/python3/dist-packages` "
      "(reserved for evaluations). Command: `/usr/bin/python3 tools/splice_tiny/corpus.py`.")
    w("")
    w("| source | license | files | bytes | held-out files |")
    w("|---|---|---:|---:|---:|")
    for s in corpus["sources"]:
        w(f"| {s['source']} | {s.get('license')} | {s['files']} | {mb(s['bytes'])} | {s['heldout_files']} |")
    w("")
    w("By language: " + "; ".join(f"{k} {v['files']} files, {mb(v['bytes'])}" for k, v in corpus["by_language"].items()) + ".")
    w("")
    w(f"Tokenizer (`tools/splice_tiny/bpe.py`): trained on the training split's {tok['unique_pretokens']:,} unique "
      f"pre-tokens with counts in {tok['train_seconds']:.0f} s; {tok['bytes_per_token']['heldout']:.2f} bytes per token "
      f"on held-out files. The Python encoder used for training and evaluation gives the same ids as "
      f"@huggingface/tokenizers (the runtime's library) on all {tok['node_check']['files']} held-out files "
      f"({tok['node_check']['tokens']:,} tokens, {tok['node_check']['files_mismatched']} mismatches, "
      f"{tok['node_check']['roundtrip_failures']} round-trip failures).")
    w("")
    py, tsj = marks["python"], marks["typescript_javascript"]
    w("ToolGen marks (`tools/splice_tiny/marks.py`): at each member access `obj.name` in a sample of training files, "
      "a completion tool is asked for candidates right after the dot; if `name` is among them, `<|tool|>` is inserted "
      "before it. Bounded by a time budget (files visited in seeded order, only fully processed files are marked):")
    w("")
    w("| tool | budget | files marked | member accesses checked | marks |")
    w("|---|---:|---:|---:|---:|")
    w(f"| {py['tool']} (Python) | {py['budget_s']:.0f} s | {py['files_marked']} ({mb(py['bytes_marked_files'])}) | {py['member_accesses_checked']:,} | {py['marks']:,} |")
    w(f"| {tsj['tool']} (TS/JS) | {tsj['budget_s']:.0f} s | {tsj['files_marked']} ({mb(tsj['bytes_marked_files'])}) | {tsj['member_accesses_checked']:,} | {tsj['marks']:,} |")
    w("")
    w("## Training")
    w("")
    c = tr["config"]
    c.setdefault("fim_window_tokens", None)
    ss = tr["sampler_stats"]
    a = tr["args"]
    cmd = (f"/usr/bin/python3 tools/splice_tiny/train.py --steps {a['steps']} --lr {a['lr']:g} --fim-rate {c['fim_rate']:g} "
           f"--spm-rate {c['spm_rate']:g} --line-fim-rate {c['line_fim_rate']:g}")
    w(f"`{cmd}`: {tr['steps']} steps, "
      f"{tr['tokens']:,} tokens ({c['tokens_per_step']} per step), {tr['wall_s'] / 60:.1f} min wall time on "
      f"{tr['threads']} CPU threads (a shared 2-core machine). AdamW (0.9, 0.95), peak lr {tr['args']['lr']:g}, "
      f"{tr['args']['warmup']} warm-up steps, cosine decay to 10%, weight decay 0.1, grad clip 1.0. Rows: per 10 steps "
      "8 x (8 x 512), 1 x (4 x 1024), 1 x (2 x 2048) tokens, so every position up to 2048 is trained.")
    w("")
    w(f"Objective: next-token loss on packed rows. {c['fim_rate']:.0%} of samples are FIM-transformed at random "
      f"character offsets (mid-token cuts included), PSM and SPM {1 - c['spm_rate']:.0%}/{c['spm_rate']:.0%}; "
      f"{1 - c['line_fim_rate']:.0%} of the FIM samples use two uniform cuts, {c['line_fim_rate']:.0%} end the middle at the end "
      "of the cut line or 1-3 lines later" + (f"; FIM windows are {c['fim_window_tokens']} tokens. " if c.get('fim_window_tokens') else ". ") +
      f"Languages sampled python/typescript/javascript {c['lang_weights']['python']:.2f}/{c['lang_weights']['typescript']:.2f}/"
      f"{c['lang_weights']['javascript']:.2f}, files by size, marked files weighted x{c['marked_weight']:g}. "
      f"Sampler counts: {ss['samples']:,} samples, {ss['fim_psm']:,} PSM, {ss['fim_spm']:,} SPM "
      f"({ss['line_fim']:,} line-shaped), {ss['marked_samples']:,} from marked files, {ss['tool_tokens']:,} `<|tool|>` targets.")
    w("")
    w("![loss curve](loss.png)")
    w("")
    w("`loss.png`: `/usr/bin/python3 tools/splice_tiny/plot_loss.py` (train loss includes FIM and mark tokens; "
      "the held-out points are plain-text rows).")
    w("")
    w("## Results")
    w("")
    w("Held-out next-token loss and bits per byte (`/usr/bin/python3 tools/splice_tiny/evaluate.py`): every held-out "
      "file, joined by `<|endoftext|>`, scored in 1024-token windows overlapping by one token; bits per byte = total "
      "nats / ln 2 / UTF-8 bytes of the held-out text.")
    w("")
    w("| split | files/tokens | bytes | loss (nats/token) | bits per byte |")
    w("|---|---:|---:|---:|---:|")
    a = held["all"]
    w(f"| all held-out | {a['files']} files, {a['tokens']:,} tokens | {a['bytes']:,} | {a['loss']:.3f} | **{a['bits_per_byte']:.3f}** |")
    for lang in ("python", "typescript", "javascript"):
        if lang in held:
            h = held[lang]
            w(f"| {lang} | {h['tokens']:,} tokens | {h['bytes']:,} | {h['loss']:.3f} | {h['bits_per_byte']:.3f} |")
    w("")
    w("FIM next-line exact match on `evals/fim-heldout.jsonl` (300 tasks from held-out files, built by "
      "`/usr/bin/python3 tools/splice_tiny/make_fim_tasks.py`; cursor at a random character of a non-blank line, "
      "expected = rest of the line). Greedy, prompt `[<|fim_prefix|>] + enc(prefix)[-768:] + [<|fim_suffix|>] + "
      "enc(suffix)[:256] + [<|fim_middle|>]`, at most 48 new tokens, `<|fim_*|>`/`<|tool|>` masked, stop at "
      "`<|endoftext|>` or a newline; exact = generated line equals expected after trimming trailing whitespace.")
    w("")
    w("| language | tasks | exact | exact match |")
    w("|---|---:|---:|---:|")
    for k in ("python", "typescript", "javascript", "all"):
        if k in fim:
            w(f"| {k} | {fim[k]['tasks']} | {fim[k]['exact']} | {fim[k]['exact_match']:.1%} |")
    w("")
    nc = ev.get("node_crosscheck")
    if nc:
        w(f"The same evaluation through onnxruntime-node and @huggingface/tokenizers "
          f"(`node tools/splice_tiny/fim_eval.mjs`, run by `evaluate.py --node`): exact match "
          f"{nc['fim']['all']['exact_match']:.1%}; generated middles equal to PyTorch's on "
          f"{nc['middles_equal_to_python']}/{nc['tasks']} tasks (token ids on {nc['token_ids_equal_to_python']}/{nc['tasks']}).")
        w("")
    oc = ex["onnx_vs_torch"]
    w(f"ONNX vs PyTorch (`/usr/bin/python3 tools/splice_tiny/export.py`, which runs `tools/splice_tiny/check_onnx.mjs`): "
      f"max abs logit difference {oc['full_max_abs_diff']:.1e} (full forward), {oc['incremental_max_abs_diff']:.1e} "
      f"(prefill + single-token steps through the KV cache), {oc['long_2048_max_abs_diff']:.1e} (one 2048-token "
      f"forward); {oc['argmax_mismatches']} argmax mismatches; onnxruntime-node {oc['ort_version']}.")
    w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w("# Debian packages: python3-torch python3-numpy python3-onnx python3-jedi python3-matplotlib; node + npm")
    w("npm install --prefix tools/splice_tiny/.node typescript@5.9   # language service for the TS/JS marks")
    w("bash tools/splice_tiny/run_all.sh                              # corpus .. model card, about 80 min on 2 cores")
    w("```")
    w("")
    w("## Known limits")
    w("")
    w("- Tiny and briefly trained (a few million tokens): it knows local idioms and names seen in the same file, "
      "little else; expect wrong or generic completions beyond a line. Bits per byte far above real code models.")
    w("- Two languages only (Python standard library, a dozen npm packages); other languages are out of distribution.")
    w("- Marks cover member accesses only and only the files the time budget reached (see the table); most "
      "training member accesses carry no mark, so `<|tool|>` is predicted with low probability. A runtime that "
      "has no language service should mask `<|tool|>`.")
    w("- Trained with positions 0..2047 (rows of at most 2048 tokens); no RoPE scaling, so longer contexts are untested.")
    w("- The tokenizer's pre-split was trained with Python `re`'s approximation of the GPT-2 regex; ids are identical "
      "to @huggingface/tokenizers on the held-out set, but exotic Unicode may pre-split differently at training time.")
    w("- float32 only (no quantized variant).")
    w("")
    (MODEL_DIR / "MODEL.md").write_text("\n".join(L), encoding="utf-8")
    shutil.copyfile(MANIFEST, MODEL_DIR / "splice_tiny_manifest.json")
    print(f"wrote {MODEL_DIR / 'MODEL.md'}")


if __name__ == "__main__":
    main()
