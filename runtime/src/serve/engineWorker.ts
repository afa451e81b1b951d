// Entry of the engine worker thread (dist/engineWorker.js): runs the ServingCore and answers the owner's calls.
import { parentPort } from 'node:worker_threads';
import { SpliceError } from '../errors.js';
import { ServingCore } from './ServingCore.js';
import type { FromWorker, ToWorker, WorkerCall, WorkerError } from './workerProtocol.js';
import { WorkerToolProxy } from './WorkerToolProxy.js';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const post = (m: FromWorker) => port.postMessage(m);
const tools = new WorkerToolProxy(post);
const core = new ServingCore((status) => post({ kind: 'status', status }), tools);
const aborts = new Map<number, AbortController>();

function toWorkerError(err: unknown): WorkerError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: e instanceof SpliceError ? e.code : undefined, message: e.message };
}

async function dispatch(call: WorkerCall, signal: AbortSignal): Promise<unknown> {
  switch (call.method) {
    case 'configure':
      return core.configure(call.settings);
    case 'complete':
      return core.complete(call.uri, call.req, signal);
    case 'sync':
      return core.sync(call.uri, call.text);
    case 'warm':
      return core.warm(call.uri, call.text, call.offset);
    case 'opened':
      return core.opened(call.uri);
    case 'close':
      return core.close(call.uri);
    case 'stats':
      return core.stats(call.uri);
    case 'shutdown':
      return core.shutdown();
  }
}

port.on('message', (m: ToWorker) => {
  if (m.kind === 'abort') return aborts.get(m.id)?.abort();
  if (m.kind === 'toolResult') return tools.answer(m.id, m.names, m.error);
  const controller = new AbortController();
  aborts.set(m.id, controller);
  dispatch(m.call, controller.signal)
    .then((value) => post({ kind: 'result', id: m.id, value }))
    .catch((err: unknown) => post({ kind: 'error', id: m.id, error: toWorkerError(err) }))
    .finally(() => aborts.delete(m.id));
});

process.on('unhandledRejection', (err) => post({ kind: 'log', line: `unhandled rejection in the engine worker: ${(err as Error)?.stack ?? String(err)}` }));
