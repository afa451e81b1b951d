// `splice bench decode`: prefill ms and greedy decode tok/s at several context sizes, fused graph vs reference graph, interleaved.
import { Engine, prefill, type DeviceKind } from '../../../runtime/src/index.js';
import { median, round } from './stats.js';

export interface DecodeBenchRow {
  device: DeviceKind;
  context_tokens: number;
  prompt_tokens: number;
  decode_tokens: number;
  fused_prefill_ms: number;
  reference_prefill_ms: number;
  /** reference / fused: above 1, the fused graph prefills faster. */
  prefill_speedup: number;
  fused_decode_tok_s: number;
  reference_decode_tok_s: number;
  /** fused / reference decode tok/s. */
  decode_speedup: number;
  /** Whether both graphs decoded the same greedy tokens in every round. */
  greedy_identical: boolean;
  /** Rows cached at the end of a run, and rows the fused graph's cache tensors hold (a CPU buffer keeps headroom). */
  cached_rows: number;
  fused_cache_capacity_rows: number;
  /** Bytes of the fused cache's tensors per cached row (its dtype; CPU, headroom excluded); undefined on a GPU. */
  fused_kv_bytes_per_row?: number;
}

interface Run {
  prefillMs: number;
  tokS: number;
  tokens: number[];
  rows: number;
  capacity: number;
  bytesPerRow?: number;
}

function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/** Prefills `prompt` (chunked, as sessions do) and decodes `steps` greedy tokens, one forward pass each. */
async function run(engine: Engine, prompt: number[], steps: number): Promise<Run> {
  const model = engine.model;
  const cache = model.newCache();
  try {
    const t0 = performance.now();
    const last = await prefill(model, prompt, cache);
    const prefillMs = performance.now() - t0;
    const tokens = [argmax(last!)];
    const t1 = performance.now();
    for (let i = 1; i < steps; i++) {
      const r = await model.forward([tokens[i - 1]!], [prompt.length + i - 1], cache);
      tokens.push(argmax(r.logits));
    }
    const tokS = (steps - 1) / ((performance.now() - t1) / 1000);
    const cpu = cache.tensors.every((t) => t.location === 'cpu');
    const bytes = cpu ? cache.tensors.reduce((n, t) => n + (t.data as ArrayBufferView).byteLength, 0) : 0;
    return { prefillMs, tokS, tokens, rows: cache.length, capacity: cache.capacity, bytesPerRow: cpu ? bytes / cache.capacity : undefined };
  } finally {
    cache.dispose();
  }
}

/** Both engines on one device; rounds alternate which graph goes first. */
export async function benchDecode(fused: Engine, reference: Engine, corpusIds: number[], sizes: number[], steps: number, rounds: number): Promise<DecodeBenchRow[]> {
  const rows: DecodeBenchRow[] = [];
  for (const size of sizes) {
    const prompt = corpusIds.slice(0, size - steps);
    await run(fused, prompt.slice(0, 64), 4); // warm-up (first-run allocations)
    await run(reference, prompt.slice(0, 64), 4);
    const f: Run[] = [];
    const r: Run[] = [];
    for (let k = 0; k < rounds; k++) {
      if (k % 2 === 0) {
        f.push(await run(fused, prompt, steps));
        r.push(await run(reference, prompt, steps));
      } else {
        r.push(await run(reference, prompt, steps));
        f.push(await run(fused, prompt, steps));
      }
    }
    const same = f.every((x, i) => x.tokens.join() === r[i]!.tokens.join());
    const fp = median(f.map((x) => x.prefillMs));
    const rp = median(r.map((x) => x.prefillMs));
    const ft = median(f.map((x) => x.tokS));
    const rt = median(r.map((x) => x.tokS));
    rows.push({
      device: fused.model.device,
      context_tokens: size,
      prompt_tokens: prompt.length,
      decode_tokens: steps,
      fused_prefill_ms: round(fp),
      reference_prefill_ms: round(rp),
      prefill_speedup: round(rp / fp),
      fused_decode_tok_s: round(ft, 1),
      reference_decode_tok_s: round(rt, 1),
      decode_speedup: round(ft / rt),
      greedy_identical: same,
      cached_rows: f[0]!.rows,
      fused_cache_capacity_rows: f[0]!.capacity,
      fused_kv_bytes_per_row: f[0]!.bytesPerRow,
    });
  }
  return rows;
}
