// Entry of the shaping worker thread (dist/shapeWorker.js): tree-sitter parses run here, off the LSP thread.
import { parentPort } from 'node:worker_threads';
import { shapeCompletion, type ShapeOutcome } from './pipeline.js';
import { grammarFailures, parserFor } from './syntax/grammars.js';
import type { ShapeRequest, ShapeResponse } from './ShapeWorkerClient.js';

const port = parentPort;
if (!port) throw new Error('shapeWorker must run in a worker thread');

port.on('message', async (m: { id: number; req?: ShapeRequest; warm?: string }) => {
  if (m.warm !== undefined) return void parserFor(m.warm).catch(() => undefined);
  if (!m.req) return;
  let outcome: ShapeOutcome | undefined;
  let error: string | undefined;
  const t0 = performance.now();
  try {
    outcome = shapeCompletion({ ...m.req, parser: await parserFor(m.req.languageId) });
  } catch (err) {
    error = (err as Error).message;
  }
  const res: ShapeResponse = { id: m.id, outcome, error, ms: performance.now() - t0, grammarFailures: [...grammarFailures()] };
  port.postMessage(res);
});
