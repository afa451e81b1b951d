// `splice bench tools`: the completion tools' latency per trigger with a warm service (the document already open in
// it; each timed call sees a new version of the text, as a trigger during decoding does), against the plain completion
// of the same task measured in the same run.
import { callTool, type Engine } from '../../../runtime/src/index.js';
import { FIM_EVAL_CONTEXT } from '../eval/fimEval.js';
import { taskUri, type ToolgenTask } from '../eval/toolgenTask.js';
import type { ToolSet } from '../eval/toolgenTools.js';
import { percentile, round } from './stats.js';

export interface ToolBenchRow {
  language: string;
  tasks: number;
  calls: number;
  /** Tool calls that came back with no names or failed (their time counts too). */
  empty: number;
  tool_ms_p50: number;
  tool_ms_p95: number;
  /** A plain 12-token completion of the same tasks (the baseline). */
  completion_ms_p50: number;
  /** tool_ms_p50 / completion_ms_p50. */
  ratio: number;
}

const COLD_BUDGET_MS = 30_000;
const COMMENT: Record<string, string> = { python: '#', typescript: '//', javascript: '//' };

export async function benchTools(engine: Engine, tasks: ToolgenTask[], tools: ToolSet, runs: number): Promise<ToolBenchRow[]> {
  const rows: ToolBenchRow[] = [];
  for (const language of [...new Set(tasks.map((t) => t.language))]) {
    const mine = tasks.filter((t) => t.language === language);
    const toolMs: number[] = [];
    const completionMs: number[] = [];
    let empty = 0;
    for (const t of mine) {
      const tool = tools.forLanguage(t.language);
      if (!tool) continue;
      const query = (text: string) => ({ text, offset: t.prefix.length, uri: taskUri(t), languageId: t.language });
      await callTool(tool, query(t.prefix + t.suffix), COLD_BUDGET_MS); // opens the document in the service (untimed)
      for (let k = 0; k < runs; k++) {
        const r = await callTool(tool, query(`${t.prefix}${t.suffix}\n${COMMENT[language] ?? '//'} ${k}\n`), COLD_BUDGET_MS);
        toolMs.push(r.ms);
        if (r.names.length === 0) empty++;
      }
      const started = performance.now();
      await engine.complete({ text: t.prefix + t.suffix, offset: t.prefix.length, maxTokens: 12, stopSequences: ['\n'], context: FIM_EVAL_CONTEXT, promptMode: 'naive' });
      completionMs.push(performance.now() - started);
    }
    const p50 = percentile(toolMs, 50);
    const c50 = percentile(completionMs, 50);
    rows.push({ language, tasks: mine.length, calls: toolMs.length, empty, tool_ms_p50: round(p50), tool_ms_p95: round(percentile(toolMs, 95)), completion_ms_p50: round(c50), ratio: c50 > 0 ? round(p50 / c50, 3) : 0 });
  }
  return rows;
}
