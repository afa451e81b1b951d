// The byte trie, the allowed-token mask (names starting or ending mid-token) and the exit rule at break characters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBreakByte } from './breakBytes.js';
import { NameConstraint, stepThrough } from './NameConstraint.js';
import { NameTrie } from './NameTrie.js';
import { TokenMask } from './TokenMask.js';
import { toyVocab, TOY_TOKENS } from './toolgenTestVocab.js';

const enc = (s: string) => new TextEncoder().encode(s);
const names = (ids: number[]) => ids.map((id) => TOY_TOKENS[id]).sort();

describe('NameTrie', () => {
  it('walks names byte by byte and marks where each ends', () => {
    const trie = new NameTrie(['path', 'pathsep', 'print', 'path', '']);
    assert.equal(trie.size, 3);
    assert.equal(trie.walk(enc('path'))?.end, true);
    assert.equal(trie.walk(enc('pat'))?.end, false);
    assert.equal(trie.walk(enc('pathsep'))?.children.size, 0);
    assert.equal(trie.walk(enc('pz')), undefined);
  });

  it('holds non-ASCII names as UTF-8 bytes', () => {
    const trie = new NameTrie(['größe']);
    assert.equal(trie.walk(enc('grö'))?.end, false);
    assert.equal(trie.walk(enc('größe'))?.end, true);
  });
});

describe('TokenMask', () => {
  const { vocab } = toyVocab();
  const mask = new TokenMask(vocab);

  it('allows the tokens whose bytes are a prefix of a remaining candidate', () => {
    const trie = new NameTrie(['path', 'print']);
    assert.deepEqual(names(mask.allowed(trie.root)), ['p', 'pa', 'path', 'pr']);
  });

  it('allows a token that finishes a candidate and goes on with a break character, not with a letter', () => {
    const trie = new NameTrie(['path', 'pathsep']);
    const afterPat = trie.walk(enc('pat'))!;
    const allowed = names(mask.allowed(afterPat));
    assert.ok(allowed.includes('h(')); // `path` + `(`: left inside the token
    assert.ok(allowed.includes('h'));
    assert.ok(!allowed.includes('pathx'));
    assert.ok(!allowed.includes('x'));
  });

  it('at a complete name allows every token starting with a break character, and the longer candidates', () => {
    const trie = new NameTrie(['path', 'pathsep']);
    const allowed = names(mask.allowed(trie.walk(enc('path'))!));
    for (const t of ['(', ')', '.', ' ', '\n', '.p', 's', 'sep']) assert.ok(allowed.includes(t), t);
    for (const t of ['x', 'pathx', 'a']) assert.ok(!allowed.includes(t), t);
  });

  it('apply keeps the allowed logits and sets the rest to -Infinity', () => {
    const out = TokenMask.apply(Float32Array.of(1, 2, 3), [2]);
    assert.deepEqual([...out], [-Infinity, -Infinity, 3]);
  });
});

describe('exit rule', () => {
  it('break characters are the bytes that cannot continue an identifier', () => {
    for (const c of '().,:; \n+-*/[]{}"\'') assert.ok(isBreakByte(c.charCodeAt(0)), JSON.stringify(c));
    for (const c of 'aZ09_$') assert.ok(!isBreakByte(c.charCodeAt(0)), c);
    assert.ok(!isBreakByte(0xc3)); // a UTF-8 lead byte continues a name
  });

  it('stays inside while the bytes follow a candidate, leaves at a break after a complete one', () => {
    const trie = new NameTrie(['path', 'print']);
    const c = NameConstraint.start(trie, enc('p'))!;
    assert.equal(c.advance(enc('at')), true);
    assert.equal(c.complete, false);
    assert.equal(c.advance(enc('h')), true);
    assert.equal(c.complete, true);
    assert.equal(c.advance(enc('(')), false);
  });

  it('a break before a candidate is complete is denied; no candidate with the typed start means no constraint', () => {
    const trie = new NameTrie(['path']);
    assert.equal(stepThrough(enc('pa('), trie.root).kind, 'denied');
    assert.equal(stepThrough(enc('path)'), trie.root).kind, 'left');
    assert.equal(NameConstraint.start(trie, enc('q')), undefined);
  });
});
