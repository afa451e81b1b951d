#!/usr/bin/env node
// Checks the ONNX fixtures in runtime/models/fixtures/ with onnxruntime-node, on CPU
//   (or another execution provider via --ep)
//   - I/O names and shapes follow the Optimum decoder-with-past contract
//   - full forward (12 tokens, empty past) == prefill 8 + 4 single-token steps
//     fed with present -> past  (max abs diff <= 1e-4 on every step's logits)
//   - present = concat(past, new): the past rows come back bit-exact
//   - RoPE follows position_ids: shifting all positions barely changes logits,
//     a gap in positions does change them
//   - attention_mask = 0 on a row == that token never being there
//   - batch 2 == two batch-1 runs
//   - optional: logits == PyTorch reference written by
//     `make_fixture_models.py --reference DIR` (pass `--reference DIR` here too;
//     tolerance 1e-4, 2e-3 for the fp16-kv fixture)
// Usage: node tools/check_fixture_models.mjs [--reference DIR] [--ep cpu|webgpu] [fixture ...]
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURES = path.join(ROOT, "runtime", "models", "fixtures");
const PROBE_IDS = [17, 300, 45, 99, 256, 3, 480, 120, 7, 64, 400, 250];
const TOL = 1e-4;

const args = process.argv.slice(2);
let refDir = null;
let ep = "cpu";
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--reference") refDir = args[++i];
  else if (args[i] === "--ep") ep = args[++i];
  else names.push(args[i]);
}
if (names.length === 0) {
  for (const d of fs.readdirSync(FIXTURES).sort()) {
    if (modelFiles(d).length > 0) names.push(d);
  }
}

const i64 = (arr, dims) => new ort.Tensor("int64", BigInt64Array.from(arr.map(BigInt)), dims);
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A fixture's graphs: onnx/model.onnx and the quantized variants (model_q4.onnx, model_int8.onnx, …). */
function modelFiles(name) {
  const dir = path.join(FIXTURES, name, "onnx");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^model.*\.onnx$/.test(f)).sort();
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function checkFixture(name, file, label) {
  const dir = path.join(FIXTURES, name);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  const L = cfg.num_hidden_layers, KV = cfg.num_key_value_heads, HD = cfg.head_dim, V = cfg.vocab_size;
  const kvType = cfg.kv_cache_dtype === "float16" ? "float16" : "float32";
  const sess = await ort.InferenceSession.create(path.join(dir, "onnx", file), {
    executionProviders: [ep],
  });

  const pastNames = [], presentNames = [];
  for (let i = 0; i < L; i++) {
    for (const kv of ["key", "value"]) {
      pastNames.push(`past_key_values.${i}.${kv}`);
      presentNames.push(`present.${i}.${kv}`);
    }
  }
  const wantIn = ["input_ids", "attention_mask", "position_ids", ...pastNames];
  const wantOut = ["logits", ...presentNames];
  check(JSON.stringify(sess.inputNames) === JSON.stringify(wantIn), `inputs ${sess.inputNames}`);
  check(JSON.stringify(sess.outputNames) === JSON.stringify(wantOut), `outputs ${sess.outputNames}`);

  const emptyPast = (batch = 1) => {
    const feeds = {};
    const data = kvType === "float16" ? new Uint16Array(0) : new Float32Array(0);
    for (const n of pastNames) feeds[n] = new ort.Tensor(kvType, data, [batch, KV, 0, HD]);
    return feeds;
  };
  // Runs rows of token ids (batch = ids.length) with given positions/mask/past.
  const run = async (ids, positions, mask, past) => {
    const b = ids.length, s = ids[0].length;
    const out = await sess.run({
      input_ids: i64(ids.flat(), [b, s]),
      attention_mask: i64(mask.flat(), [b, mask[0].length]),
      position_ids: i64(positions.flat(), [b, s]),
      ...past,
    });
    const present = {};
    presentNames.forEach((n, k) => (present[pastNames[k]] = out[n]));
    return { logits: out.logits, present };
  };
  const rowLogits = (t, row) => t.data.subarray(row * V, (row + 1) * V);

  const ids = PROBE_IDS.map((x) => x % V);
  const S = ids.length;
  const ones = (n) => new Array(n).fill(1);

  // 1. full forward, empty past
  const full = await run([ids], [range(0, S)], [ones(S)], emptyPast());
  check(JSON.stringify(full.logits.dims) === JSON.stringify([1, S, V]), `logits dims ${full.logits.dims}`);
  check(full.logits.type === "float32", `logits type ${full.logits.type}`);
  for (const n of pastNames) {
    const t = full.present[n];
    check(t.type === kvType, `${n} present type ${t.type}`);
    check(JSON.stringify(t.dims) === JSON.stringify([1, KV, S, HD]), `present dims ${t.dims}`);
  }
  let spread = 0;
  for (const v of rowLogits(full.logits, S - 1)) spread = Math.max(spread, Math.abs(v));

  // 2. prefill 8 + 4 single-token steps
  const P = 8;
  let step = await run([ids.slice(0, P)], [range(0, P)], [ones(P)], emptyPast());
  let incDiff = maxAbsDiff(rowLogits(step.logits, P - 1), rowLogits(full.logits, P - 1));
  for (let t = P; t < S; t++) {
    const prev = step.present;
    step = await run([[ids[t]]], [[t]], [ones(t + 1)], prev);
    incDiff = Math.max(incDiff, maxAbsDiff(rowLogits(step.logits, 0), rowLogits(full.logits, t)));
    // present = concat(past, new): old rows unchanged bit for bit
    for (const n of pastNames) {
      const a = prev[n].data, b = step.present[n].data;
      check(step.present[n].dims[2] === t + 1, `present len ${step.present[n].dims}`);
      for (let h = 0; h < KV; h++) {
        for (let j = 0; j < t * HD; j++) {
          if (a[h * t * HD + j] !== b[h * (t + 1) * HD + j]) throw new Error(`${n}: past row changed`);
        }
      }
    }
  }
  const lastDiff = maxAbsDiff(rowLogits(step.logits, 0), rowLogits(full.logits, S - 1));
  check(incDiff <= TOL, `incremental vs full diff ${incDiff}`);

  // 3. RoPE uses position_ids: shift-invariance and gap sensitivity
  const shifted = await run([ids], [range(100, 100 + S)], [ones(S)], emptyPast());
  const shiftDiff = maxAbsDiff(rowLogits(shifted.logits, S - 1), rowLogits(full.logits, S - 1));
  const gapPos = range(0, S).map((p) => (p < 6 ? p : p + 7));
  const gapped = await run([ids], [gapPos], [ones(S)], emptyPast());
  const gapDiff = maxAbsDiff(rowLogits(gapped.logits, S - 1), rowLogits(full.logits, S - 1));
  check(shiftDiff <= 1e-3, `shift by 100 changed logits by ${shiftDiff}`);
  check(gapDiff > 1e-3, `position gap did not change logits (${gapDiff})`);

  // 4. attention_mask 0 on token 3 == token 3 removed (positions kept)
  const maskRow = ones(S);
  maskRow[3] = 0;
  const masked = await run([ids], [range(0, S)], [maskRow], emptyPast());
  const keepIdx = range(0, S).filter((i) => i !== 3);
  const dropped = await run([keepIdx.map((i) => ids[i])], [keepIdx], [ones(S - 1)], emptyPast());
  const maskDiff = maxAbsDiff(rowLogits(masked.logits, S - 1), rowLogits(dropped.logits, S - 2));
  check(maskDiff <= TOL, `attention_mask vs removal diff ${maskDiff}`);

  // 5. batch 2 == batch 1 twice
  const ids2 = ids.map((x) => (x * 7 + 5) % V);
  const batch = await run([ids, ids2], [range(0, S), range(0, S)], [ones(S), ones(S)], emptyPast(2));
  const single2 = await run([ids2], [range(0, S)], [ones(S)], emptyPast());
  const batchDiff = Math.max(
    maxAbsDiff(batch.logits.data.subarray(0, S * V), full.logits.data),
    maxAbsDiff(batch.logits.data.subarray(S * V), single2.logits.data),
  );
  check(batchDiff <= TOL, `batch diff ${batchDiff}`);

  // 6. optional PyTorch reference (fp32 graphs only: quantized ones differ from the torch weights by design)
  let refDiff = null;
  if (refDir && file === "model.onnx") {
    const ref = JSON.parse(fs.readFileSync(path.join(refDir, `${name}.json`), "utf8"));
    check(JSON.stringify(ref.input_ids) === JSON.stringify(ids), "reference probe ids differ");
    refDiff = maxAbsDiff(full.logits.data, Float32Array.from(ref.logits));
    // fp16 cache: a 1-ulp difference before the fp16 rounding of K/V can flip
    // a rounding, so ONNX and PyTorch agree only to fp16 precision there.
    const refTol = kvType === "float16" ? 2e-3 : TOL;
    check(refDiff <= refTol, `onnx vs torch diff ${refDiff}`);
  }

  const fmt = (x) => x.toExponential(2);
  console.log(
    `${label.padEnd(17)} ok  last-step ${fmt(lastDiff)}  all-steps ${fmt(incDiff)}  ` +
      `mask ${fmt(maskDiff)}  batch ${fmt(batchDiff)}  shift+100 ${fmt(shiftDiff)}  gap ${fmt(gapDiff)}  ` +
      `|logit|max ${spread.toFixed(2)}` + (refDiff === null ? "" : `  vs-torch ${fmt(refDiff)}`),
  );
}

let failed = 0;
for (const name of names) {
  for (const file of modelFiles(name)) {
    const label = file === "model.onnx" ? name : `${name}/${file}`;
    try {
      await checkFixture(name, file, label);
    } catch (e) {
      failed++;
      console.log(`${label.padEnd(17)} FAIL ${e.message}`);
    }
  }
}
process.exit(failed ? 1 : 0);
