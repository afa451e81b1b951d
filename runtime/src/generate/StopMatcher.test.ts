// StopMatcher: where streamed text is cut, and how much of it is safe to show while a stop sequence could still match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StopMatcher } from './StopMatcher.js';

describe('StopMatcher.cutAt', () => {
  it('finds the earliest complete stop, whichever stop it is', () => {
    const m = new StopMatcher(['\n\n', 'def ', '}']);
    assert.equal(m.cutAt('x = 1\n}\n\ndef g():'), 6);
    assert.equal(m.cutAt('x = 1\n\ndef g(): }'), 5);
    assert.equal(m.cutAt('return 1 def '), 9);
  });

  it('returns undefined when no stop is complete, and ignores empty stops', () => {
    assert.equal(new StopMatcher(['\n\n', 'def ']).cutAt('x = 1\ndef'), undefined);
    assert.equal(new StopMatcher(['']).cutAt('anything'), undefined);
    assert.equal(new StopMatcher([]).cutAt('anything'), undefined);
  });
});

describe('StopMatcher.safePrefix', () => {
  it('holds back a trailing partial stop sequence', () => {
    const m = new StopMatcher(['\n\n', '</code>']);
    assert.equal(m.safePrefix('a = 1\n'), 'a = 1');
    assert.equal(m.safePrefix('a = 1</co'), 'a = 1');
    assert.equal(m.safePrefix('a = 1<'), 'a = 1');
  });

  it('holds back the longest partial match (a stop that overlaps itself)', () => {
    assert.equal(new StopMatcher(['aab']).safePrefix('xaa'), 'x');
    assert.equal(new StopMatcher(['aab']).safePrefix('xa'), 'x');
  });

  it('keeps text that cannot start a stop, and everything when there are no stops', () => {
    assert.equal(new StopMatcher(['\n\n', '</code>']).safePrefix('a = 1</x'), 'a = 1</x');
    assert.equal(new StopMatcher([]).safePrefix('a\n'), 'a\n');
    assert.equal(new StopMatcher(['']).safePrefix('a\n'), 'a\n');
  });

  it('holds back trailing U+FFFD (an incomplete UTF-8 character)', () => {
    const m = new StopMatcher([]);
    assert.equal(m.safePrefix('caf\uFFFD'), 'caf');
    assert.equal(m.safePrefix('x\uFFFD\uFFFD'), 'x');
    assert.equal(m.safePrefix('\uFFFD'), '');
    assert.equal(m.safePrefix('a\uFFFDb'), 'a\uFFFDb', 'only a trailing replacement character is held back');
  });

  it('holds back a partial stop that sits before trailing U+FFFD', () => {
    assert.equal(new StopMatcher(['\n\n']).safePrefix('x\n\uFFFD'), 'x');
  });

  it('holds back only the longest partial match over all stops, measured at the end of the text', () => {
    // "\n" could start "\n\n"; the "a" before it can no longer start "ab"
    assert.equal(new StopMatcher(['\n\n', 'ab']).safePrefix('xa\n'), 'xa');
    assert.equal(new StopMatcher(['ab', '\n\n']).safePrefix('xa\n'), 'xa');
    // the longer of two partial matches wins, in either order
    assert.equal(new StopMatcher(['c', 'bc!', 'abc?']).safePrefix('zabc'), 'z');
    assert.equal(new StopMatcher(['abc?', 'bc!']).safePrefix('zabc'), 'z');
  });
});
