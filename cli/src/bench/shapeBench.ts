// `splice bench shape`: the completion pipeline's time per completion with tree-sitter parses incremental over the
// window's own parse (the default) against every candidate parsed afresh, on the same completions in the same run.
import { SpliceError, type Engine } from '../../../runtime/src/index.js';
import { shapeCompletion, stopsFor } from '../../../language-server/src/completion/pipeline.js';
import { placeOf } from '../../../language-server/src/completion/place/placeOf.js';
import { grammarFor, loadParser } from '../../../language-server/src/completion/syntax/grammars.js';
import { forgetBaseTrees, windowParseOptions } from '../../../language-server/src/completion/syntax/windowParse.js';
import type { Parser } from 'web-tree-sitter';
import { FIM_EVAL_CONTEXT, type FimTask } from '../eval/fimEval.js';
import { asIfStopped, editorDocument } from '../eval/shapeEval.js';
import { percentile, round } from './stats.js';

export interface ShapeBenchRow {
  tasks: number;
  full_p50_ms: number;
  full_p95_ms: number;
  incremental_p50_ms: number;
  incremental_p95_ms: number;
  /** incremental / full. */
  ratio_p50: number;
  ratio_p95: number;
}

interface Input {
  shape: () => void;
}

/** The model's completion of each task, as the server asks for it (untimed), ready to be shaped. */
async function inputs(engine: Engine, tasks: readonly FimTask[]): Promise<Input[]> {
  const parsers = new Map<string, Parser | undefined>();
  const out: Input[] = [];
  for (const t of tasks) {
    if (!parsers.has(t.language)) parsers.set(t.language, grammarFor(t.language) ? await loadParser(grammarFor(t.language)!) : undefined);
    const doc = editorDocument(t);
    const place = placeOf(doc.text, doc.offset, t.language);
    const gen = await engine.complete({ text: doc.text, offset: doc.offset, maxTokens: 64, context: FIM_EVAL_CONTEXT, promptMode: 'byte', ...stopsFor(place) });
    const req = asIfStopped(gen, stopsFor(place));
    const parser = parsers.get(t.language);
    out.push({ shape: () => void shapeCompletion({ ...doc, languageId: t.language, completion: req.completion, stopReason: req.stopReason, parser }) });
  }
  return out;
}

/** Times one shaping as a new document version: no window tree cached before it. */
function timeShape(input: Input, incremental: boolean): number {
  forgetBaseTrees();
  windowParseOptions.incremental = incremental;
  const started = performance.now();
  input.shape();
  return performance.now() - started;
}

/** Each completion shaped both ways back to back (the order alternating by task and run), `runs` times. */
export async function benchShape(engine: Engine, tasks: readonly FimTask[], runs: number): Promise<ShapeBenchRow> {
  if (tasks.length === 0) throw new SpliceError('input', 'bench shape needs at least one task');
  const all = await inputs(engine, tasks);
  const times = { full: [] as number[], incremental: [] as number[] };
  try {
    for (const x of all.slice(0, 3)) for (const inc of [true, false]) timeShape(x, inc); // warm-up, untimed
    for (let run = 0; run < runs; run++) {
      for (const [i, x] of all.entries()) {
        const first = (i + run) % 2 === 0;
        for (const inc of [first, !first]) times[inc ? 'incremental' : 'full'].push(timeShape(x, inc));
      }
    }
  } finally {
    windowParseOptions.incremental = true;
  }
  const p = (xs: number[], q: number) => round(percentile(xs, q));
  const row = { tasks: tasks.length, full_p50_ms: p(times.full, 50), full_p95_ms: p(times.full, 95), incremental_p50_ms: p(times.incremental, 50), incremental_p95_ms: p(times.incremental, 95) };
  return { ...row, ratio_p50: round(row.incremental_p50_ms / row.full_p50_ms, 3), ratio_p95: round(row.incremental_p95_ms / row.full_p95_ms, 3) };
}
