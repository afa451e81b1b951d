// Entry of the TypeScript tool's worker thread (dist/tsToolWorker.js): the language service runs synchronously, so it
// runs here, off the LSP thread; calls are `{id, query}` messages answered with `{id, names}` or `{id, error}`.
import { parentPort } from 'node:worker_threads';
import type { ToolQuery } from '../../../runtime/src/index.js';
import { TypeScriptTool } from './TypeScriptTool.js';

const port = parentPort;
if (!port) throw new Error('tsToolWorker must run in a worker thread');
const tool = new TypeScriptTool();
const live = new AbortController().signal;

port.on('message', (m: { id: number; query: ToolQuery }) => {
  tool.names(m.query, live).then(
    (names) => port.postMessage({ id: m.id, names: [...names] }),
    (err: unknown) => port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
