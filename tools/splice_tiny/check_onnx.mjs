#!/usr/bin/env node
// Checks runtime/models/splice-tiny/onnx/model.onnx with onnxruntime-node (CPU) against
// PyTorch logits written by tools/splice_tiny/export.py:
//   - I/O names follow the Optimum decoder-with-past contract (as the fixtures)
//   - full forward of 96 held-out tokens: logits rows == torch (max abs diff <= 2e-3)
//   - prefill 64 tokens, then 32 single-token steps fed present -> past: every step's
//     argmax == torch's, sampled rows within 2e-3
//   - one 2048-token forward (max_position_embeddings): rows within 5e-3
// Usage: node tools/splice_tiny/check_onnx.mjs MODEL_DIR REFERENCE.json
// Prints one JSON line (ok, diffs).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [dir, refPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
const ref = JSON.parse(fs.readFileSync(refPath, "utf8"));
const L = cfg.num_hidden_layers, KV = cfg.num_key_value_heads, HD = cfg.head_dim, V = cfg.vocab_size;
const sess = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"), { executionProviders: ["cpu"] });

const pastNames = [], presentNames = [];
for (let i = 0; i < L; i++) for (const kv of ["key", "value"]) {
  pastNames.push(`past_key_values.${i}.${kv}`);
  presentNames.push(`present.${i}.${kv}`);
}
const problems = [];
if (JSON.stringify(sess.inputNames) !== JSON.stringify(["input_ids", "attention_mask", "position_ids", ...pastNames])) problems.push(`inputs ${sess.inputNames}`);
if (JSON.stringify(sess.outputNames) !== JSON.stringify(["logits", ...presentNames])) problems.push(`outputs ${sess.outputNames}`);

const i64 = (arr, dims) => new ort.Tensor("int64", BigInt64Array.from(arr.map(BigInt)), dims);
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);
const emptyPast = () => Object.fromEntries(pastNames.map((n) => [n, new ort.Tensor("float32", new Float32Array(0), [1, KV, 0, HD])]));
async function run(ids, start, past) {
  const out = await sess.run({
    input_ids: i64(ids, [1, ids.length]),
    attention_mask: i64(new Array(start + ids.length).fill(1), [1, start + ids.length]),
    position_ids: i64(range(start, start + ids.length), [1, ids.length]),
    ...past,
  });
  const present = {};
  presentNames.forEach((n, k) => (present[pastNames[k]] = out[n]));
  return { logits: out.logits.data, present };
}
const row = (data, i) => data.subarray(i * V, (i + 1) * V);
const maxAbs = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const argmax = (a) => { let k = 0; for (let i = 1; i < a.length; i++) if (a[i] > a[k]) k = i; return k; };

// full forward
const full = await run(ref.short_ids, 0, emptyPast());
let fullDiff = 0;
ref.short_rows.forEach((r, k) => (fullDiff = Math.max(fullDiff, maxAbs(row(full.logits, r), ref.short_logits[k]))));
let argmaxMismatch = 0;
for (let i = 0; i < ref.short_ids.length; i++) if (argmax(row(full.logits, i)) !== ref.short_argmax[i]) argmaxMismatch++;

// prefill + steps
const P = 64;
let step = await run(ref.short_ids.slice(0, P), 0, emptyPast());
let stepDiff = 0, stepArgmaxMismatch = 0;
for (let t = P; t < ref.short_ids.length; t++) {
  step = await run([ref.short_ids[t]], t, step.present);
  const lg = row(step.logits, 0);
  if (argmax(lg) !== ref.short_argmax[t]) stepArgmaxMismatch++;
  const k = ref.short_rows.indexOf(t);
  if (k >= 0) stepDiff = Math.max(stepDiff, maxAbs(lg, ref.short_logits[k]));
}

// long forward
const t0 = Date.now();
const long = await run(ref.long_ids, 0, emptyPast());
const longMs = Date.now() - t0;
let longDiff = 0;
ref.long_rows.forEach((r, k) => (longDiff = Math.max(longDiff, maxAbs(row(long.logits, r), ref.long_logits[k]))));

if (fullDiff > 2e-3) problems.push(`full forward diff ${fullDiff}`);
if (argmaxMismatch) problems.push(`${argmaxMismatch} argmax mismatches (full)`);
if (stepDiff > 2e-3) problems.push(`incremental diff ${stepDiff}`);
if (stepArgmaxMismatch) problems.push(`${stepArgmaxMismatch} argmax mismatches (incremental)`);
if (longDiff > 5e-3) problems.push(`2048-token forward diff ${longDiff}`);
console.log(JSON.stringify({
  ok: problems.length === 0, problems, full_max_abs_diff: fullDiff, incremental_max_abs_diff: stepDiff,
  argmax_mismatches: argmaxMismatch + stepArgmaxMismatch, long_2048_max_abs_diff: longDiff, long_2048_forward_ms: longMs,
  ort_version: require("onnxruntime-node/package.json").version,
}));
