// `splice bench pie`: cache-update time after a one-line edit, PIE vs full re-encoding, measured in the same run.
import { Engine, type DeviceKind } from '../../../runtime/src/index.js';
import { median, round } from './stats.js';

export interface PieBenchRow {
  context_tokens: number;
  device: DeviceKind;
  full_ms: number;
  pie_ms: number;
  ratio: number;
  /** Tokens PIE re-encoded and rows it moved, for the median run. */
  pie_reencoded: number;
  pie_moved: number;
}

/** The longest whole-line prefix of `corpus` that tokenizes to at most `tokens` tokens. */
function contextOf(engine: Engine, corpus: string, tokens: number): string {
  const tok = engine.model.folder.tokenizer;
  const ids = tok.encode(corpus.slice(0, tokens * 12));
  let text = tok.decode(ids.slice(0, tokens));
  text = text.slice(0, text.lastIndexOf('\n') + 1);
  return text;
}

/** An edit a user makes: a new line inserted at a line start halfway through the context. */
function midEdit(text: string): { start: number; end: number; text: string } {
  const at = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
  return { start: at, end: at, text: '    result = compute(value, limit=10)\n' };
}

export async function benchPie(engine: Engine, corpus: string, sizes: number[], runs: number): Promise<PieBenchRow[]> {
  const rows: PieBenchRow[] = [];
  for (const size of sizes) {
    const text = contextOf(engine, corpus, size);
    const edit = midEdit(text);
    const full: number[] = [];
    const pie: { ms: number; reencoded: number; moved: number }[] = [];
    const session = await engine.openSession(text); // warms up full encoding; the session PIE patches
    const undo = { start: edit.start, end: edit.start + edit.text.length, text: '' };
    await session.update([edit], 'pie'); // warm-up: builds the splice graph's session
    await session.update([undo], 'pie');
    let tokens = session.kvCache.length;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const fresh = await engine.openSession(text);
      full.push(performance.now() - t0);
      tokens = fresh.kvCache.length;
      fresh.dispose();
      const stats = await session.update([edit], 'pie');
      pie.push({ ms: stats.ms, reencoded: stats.tokensReencoded, moved: stats.tokensMoved });
      await session.update([undo], 'pie'); // untimed
    }
    session.dispose();
    const fullMs = median(full);
    const pieMs = median(pie.map((p) => p.ms));
    const mid = pie.find((p) => p.ms === pieMs) ?? pie[0]!;
    rows.push({ context_tokens: tokens, device: engine.model.device, full_ms: round(fullMs), pie_ms: round(pieMs), ratio: round(pieMs / fullMs, 4), pie_reencoded: mid.reencoded, pie_moved: mid.moved });
  }
  return rows;
}
