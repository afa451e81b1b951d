// The worker's completion tool: a call is a message answered by the owner; an abort is a message and settles at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FromWorker } from './workerProtocol.js';
import { WorkerToolProxy } from './WorkerToolProxy.js';

describe('WorkerToolProxy', () => {
  it('posts the query, resolves with the answer, rejects with the error', async () => {
    const sent: FromWorker[] = [];
    const proxy = new WorkerToolProxy((m) => sent.push(m));
    const q = { text: 'os.', offset: 3 };
    const first = proxy.names(q, new AbortController().signal);
    const second = proxy.names(q, new AbortController().signal);
    assert.deepEqual(sent, [{ kind: 'tool', id: 1, query: q }, { kind: 'tool', id: 2, query: q }]);
    proxy.answer(1, ['path'], undefined);
    proxy.answer(2, undefined, 'pyright died');
    assert.deepEqual(await first, ['path']);
    await assert.rejects(second, /pyright died/);
  });

  it('an abort posts toolAbort and gives no names; a late answer is dropped', async () => {
    const sent: FromWorker[] = [];
    const proxy = new WorkerToolProxy((m) => sent.push(m));
    const c = new AbortController();
    const pending = proxy.names({ text: 'x.', offset: 2 }, c.signal);
    c.abort();
    assert.deepEqual(await pending, []);
    assert.deepEqual(sent.at(-1), { kind: 'toolAbort', id: 1 });
    proxy.answer(1, ['late'], undefined);
  });
});
