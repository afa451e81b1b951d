// Session windows: placement around the focus, when they move, and how token spans carry them along.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FOCUS_SHARE, mapWindow, placeWindow, planWindow, windowServes, type TokenWindow } from './sessionWindow.js';
import type { TokenSpan } from './tokenDiff.js';

const ids = (n: number, from = 1000) => Array.from({ length: n }, (_, k) => from + k);

/** Applies spans to a token list (old indices) — the reference that mapWindow must agree with. */
function applySpans(tokens: number[], spans: TokenSpan[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const s of spans) {
    out.push(...tokens.slice(at, s.start), ...s.ids);
    at = s.end;
  }
  return [...out, ...tokens.slice(at)];
}

describe('placeWindow / planWindow', () => {
  it('a document that fits is cached whole', () => {
    assert.deepEqual(placeWindow(500, 1000, 250), { start: 0, end: 500 });
    assert.deepEqual(planWindow({ start: 0, end: 10 }, 500, 1000, 250), { start: 0, end: 500 });
  });
  it('a long document gets a window with the focus at FOCUS_SHARE, clipped to the document', () => {
    const w = placeWindow(25000, 1000, 12000);
    assert.equal(w.end - w.start, 1000);
    assert.equal(12000 - w.start, Math.round(FOCUS_SHARE * 1000));
    assert.deepEqual(placeWindow(25000, 1000, 10), { start: 0, end: 1000 });
    assert.deepEqual(placeWindow(25000, 1000, 24990), { start: 24000, end: 25000 });
  });
  it('a window that serves the focus stays; one the focus left, or that kept too little before it, moves', () => {
    const w = { start: 10000, end: 11000 };
    assert.ok(windowServes(w, 25000, 1000, 10700));
    assert.equal(planWindow(w, 25000, 1000, 10700), w);
    assert.ok(!windowServes(w, 25000, 1000, 10100), 'too little prefix');
    assert.ok(!windowServes(w, 25000, 1000, 10990), 'too little ahead');
    assert.ok(!windowServes(w, 25000, 1000, 20000), 'focus outside');
    const moved = planWindow(w, 25000, 1000, 20000);
    assert.ok(moved.start < 20000 && moved.end > 20000 && moved.end - moved.start <= 1000);
  });
  it('a window grown past its limit by typing is trimmed at the head, in one batch, keeping the focus', () => {
    const grown = { start: 10000, end: 11010 };
    const t = planWindow(grown, 25000, 1000, 10900);
    assert.ok(t.end - t.start <= 1000 - 100, `trimmed to ${t.end - t.start}`);
    assert.ok(t.start > grown.start && t.end <= grown.end && t.start < 10900 && t.end > 10900);
  });
});

describe('mapWindow', () => {
  const doc = ids(100);
  const w: TokenWindow = { start: 40, end: 70 };
  const cases: [string, TokenSpan[]][] = [
    ['edit before the window', [{ start: 5, end: 7, ids: ids(5, 1) }]],
    ['edit after the window', [{ start: 80, end: 81, ids: [] }]],
    ['edit inside the window', [{ start: 50, end: 52, ids: ids(3, 1) }]],
    ['insertion at the window start', [{ start: 40, end: 40, ids: ids(2, 1) }]],
    ['insertion at the window end', [{ start: 70, end: 70, ids: ids(2, 1) }]],
    ['edit across the window start', [{ start: 35, end: 45, ids: ids(4, 1) }]],
    ['edit across the window end', [{ start: 65, end: 75, ids: ids(4, 1) }]],
    ['edit over the whole window', [{ start: 30, end: 80, ids: ids(7, 1) }]],
    [
      'several edits',
      [
        { start: 1, end: 3, ids: ids(9, 1) },
        { start: 38, end: 41, ids: [] },
        { start: 60, end: 60, ids: ids(2, 1) },
        { start: 69, end: 90, ids: ids(1, 1) },
      ],
    ],
  ];
  for (const [name, spans] of cases) {
    it(`${name}: the mapped window's tokens are the old window's tokens with the window spans applied`, () => {
      const next = applySpans(doc, spans);
      const m = mapWindow(w, doc.length, spans);
      const oldWindow = doc.slice(w.start, w.end);
      assert.deepEqual(next.slice(m.window.start, m.window.end), applySpans(oldWindow, m.spans));
      for (let k = 1; k < m.spans.length; k++) assert.ok(m.spans[k]!.start >= m.spans[k - 1]!.end, 'sorted, non-overlapping');
    });
  }
  it('an insertion at the end of a window that ends the document is taken in', () => {
    const m = mapWindow({ start: 0, end: 100 }, 100, [{ start: 100, end: 100, ids: [7, 8] }]);
    assert.deepEqual(m.window, { start: 0, end: 102 });
  });
});
