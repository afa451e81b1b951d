#!/usr/bin/env node
// Node cross-check of the FIM next-line exact match that tools/splice_tiny/evaluate.py
// computes in PyTorch: same tasks, same protocol, but through @huggingface/tokenizers and
// onnxruntime-node (CPU), i.e. what the runtime sees.
//   prompt = [<|fim_prefix|>] + enc(prefix)[-768:] + [<|fim_suffix|>] + enc(suffix)[:256] + [<|fim_middle|>]
//   greedy, at most 48 new tokens, <|fim_prefix|> <|fim_middle|> <|fim_suffix|> <|fim_pad|> <|tool|>
//   masked, stop at <|endoftext|> or once the generated text has a newline; middle = text up to
//   the first newline; exact <=> middle.trimEnd() === expected.trimEnd().
// Usage: node tools/splice_tiny/fim_eval.mjs [MODEL_DIR] [TASKS.jsonl] [PY_PREDICTIONS.jsonl]
// Prints per-language exact match and, given the Python predictions, how many middles agree.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const [dir = path.join(ROOT, "runtime/models/splice-tiny"), tasksPath = path.join(ROOT, "evals/fim-heldout.jsonl"), predsPath] = process.argv.slice(2);

const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
const tok = new Tokenizer(JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")), JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")));
const sess = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"), { executionProviders: ["cpu"], intraOpNumThreads: 2 });
const L = cfg.num_hidden_layers, KV = cfg.num_key_value_heads, HD = cfg.head_dim, V = cfg.vocab_size;
const id = (t) => tok.token_to_id(t);
const [PRE, SUF, MID, PAD, TOOL, EOT] = ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|tool|>", "<|endoftext|>"].map(id);
const banned = [PRE, SUF, MID, PAD, TOOL];
const enc = (s) => tok.encode(s, { add_special_tokens: false }).ids;
const dec = (ids) => tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
const i64 = (arr, dims) => new ort.Tensor("int64", BigInt64Array.from(arr.map(BigInt)), dims);
const pastNames = [], presentNames = [];
for (let i = 0; i < L; i++) for (const kv of ["key", "value"]) { pastNames.push(`past_key_values.${i}.${kv}`); presentNames.push(`present.${i}.${kv}`); }

async function step(ids, start, past) {
  const out = await sess.run({
    input_ids: i64(ids, [1, ids.length]),
    attention_mask: i64(new Array(start + ids.length).fill(1), [1, start + ids.length]),
    position_ids: i64(ids.map((_, i) => start + i), [1, ids.length]),
    ...past,
  });
  const present = {};
  presentNames.forEach((n, k) => (present[pastNames[k]] = out[n]));
  return { last: out.logits.data.subarray((ids.length - 1) * V, ids.length * V), present };
}

const tasks = fs.readFileSync(tasksPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const py = predsPath ? new Map(fs.readFileSync(predsPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).map((p) => [p.id, p])) : null;
const per = {};
let agree = 0, tokensAgree = 0;
const t0 = Date.now();
for (const t of tasks) {
  const prompt = [PRE, ...enc(t.prefix).slice(-768), SUF, ...enc(t.suffix).slice(0, 256), MID];
  const past = Object.fromEntries(pastNames.map((n) => [n, new ort.Tensor("float32", new Float32Array(0), [1, KV, 0, HD])]));
  let r = await step(prompt, 0, past);
  const gen = [];
  for (let n = 0; n < 48; n++) {
    const lg = Float32Array.from(r.last);
    for (const b of banned) lg[b] = -Infinity;
    let k = 0;
    for (let i = 1; i < V; i++) if (lg[i] > lg[k]) k = i;
    if (k === EOT) break;
    gen.push(k);
    if (dec(gen).includes("\n")) break;
    r = await step([k], prompt.length + gen.length - 1, r.present);
  }
  const middle = dec(gen).split("\n")[0];
  const ok = middle.trimEnd() === t.expected.trimEnd();
  for (const key of [t.language, "all"]) {
    per[key] ??= { exact: 0, tasks: 0 };
    per[key].exact += ok;
    per[key].tasks++;
  }
  if (py) {
    const p = py.get(t.id);
    if (p && p.middle === middle) agree++;
    if (p && JSON.stringify(p.tokens) === JSON.stringify(gen)) tokensAgree++;
  }
}
for (const v of Object.values(per)) v.exact_match = v.exact / v.tasks;
console.log(JSON.stringify({ fim: per, seconds: (Date.now() - t0) / 1000, ...(py ? { middles_equal_to_python: agree, token_ids_equal_to_python: tokensAgree, tasks: tasks.length } : {}) }));
