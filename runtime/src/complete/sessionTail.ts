// The base context of a session completion whose prompt ends with uncertain bytes (promptMode `byte` or `healing`):
// the cached rows before the tail, the FIM frame (exact or as an edit), and the tail bytes the middle must start with.
import type { ByteVocab } from '../bytes/ByteVocab.js';
import { firstCoverStart, type UncertainTail } from '../bytes/promptLead.js';
import type { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import type { DocumentSession } from '../pie/DocumentSession.js';
import { isCharBoundary } from '../tokenizer/TokenizedText.js';
import { suffixTokens } from './contextWindow.js';
import { editFrame, SESSION_SUFFIX_TOKENS, type Cursor, type FimFrame } from './sessionPrompt.js';

export interface SessionTail {
  tail: UncertainTail;
  frame: FimFrame;
  /** Rows copied from the session, and ids encoded to build the base. */
  reused: number;
  encoded: number;
}

/** The first token of the tail: back from the cursor while the tail fits in the longest token (at least one token). */
function tailStart(session: DocumentSession, cursorByte: number, vocab: ByteVocab, minIndex: number): number {
  const { bytes, starts } = session.tokens;
  const at = session.tokens.tokenAt(cursorByte);
  let start = starts[at]! < cursorByte ? at : at - 1;
  while (start - 1 >= minIndex && cursorByte - starts[start - 1]! <= vocab.maxTokenBytes) start--;
  const first = starts[start]! + firstCoverStart(vocab, bytes.subarray(starts[start]!, cursorByte));
  const last = starts[at]! < cursorByte ? at : at - 1;
  while (start < last && starts[start + 1]! <= first) start++;
  while (start > minIndex && !isCharBoundary(bytes, starts[start]!)) start--;
  return Math.max(minIndex, start);
}

export async function sessionTail(model: LanguageModel, ops: KvOps, session: DocumentSession, at: Cursor, frame: FimFrame, vocab: ByteVocab): Promise<SessionTail | undefined> {
  const { tokenizer, fim, config } = model.folder;
  const l2r = fim.family === 'none';
  const w = session.window;
  const start = tailStart(session, at.byte, vocab, w.start + (l2r && session.leadingCount === 0 ? 1 : 0));
  const tail = session.tokens.bytes.subarray(session.tokens.starts[start]!, at.byte);
  const reused = session.leadingCount + start - w.start;
  if (tail.length === 0 || reused === 0) return undefined;
  if (l2r) {
    const cache = await ops.copyRows(session.kvCache, 0, reused - 1);
    const lastBase = session.ids[reused - 1]!;
    return { tail: { cache, lastBase, tail, prevToken: lastBase }, frame: 'exact', reused: reused - 1, encoded: 0 };
  }
  const [, mid] = fim.afterPrefix([]);
  if (frame === 'edit') {
    const edited = await editFrame(model, ops, session, at, { reused, tail: [], fim });
    if (edited) return { tail: { cache: edited.cache, lastBase: mid!, tail }, frame: 'edit', reused, encoded: edited.encoded };
  }
  const suffixBudget = Math.max(0, config.maxPositions - reused - at.maxTokens - 16);
  const frameIds = fim.afterPrefix(suffixTokens(tokenizer, at.text, at.offset, Math.min(SESSION_SUFFIX_TOKENS, suffixBudget)));
  const cache = await ops.copyRows(session.kvCache, 0, reused);
  const before = frameIds.slice(0, -1);
  try {
    await model.forward(before, before.map((_, k) => reused + k), cache, { logits: 'none' });
  } catch (err) {
    cache.dispose();
    throw err;
  }
  return { tail: { cache, lastBase: mid!, tail }, frame: 'exact', reused, encoded: before.length };
}
