// CLI positions: 1-based line/column to a UTF-16 offset (LF and CRLF), and which source files the CLI refuses to read.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { SpliceError } from '../../runtime/src/index.js';
import { offsetAt, readSourceFile } from './documentPosition.js';

function inputError(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SpliceError, `expected SpliceError, got ${String(err)}`);
    assert.equal(err.code, 'input');
    assert.match(err.message, pattern);
    return true;
  };
}

describe('offsetAt', () => {
  const text = 'def f():\n    return 1\n\nx = f()';

  it('maps 1-based line and column to the offset of that character', () => {
    assert.equal(offsetAt(text, 1, 1), 0);
    assert.equal(offsetAt(text, 1, 5), 4);
    assert.equal(text[offsetAt(text, 2, 5)], 'r');
    assert.equal(offsetAt(text, 3, 1), text.indexOf('\n\n') + 1);
    assert.equal(text.slice(offsetAt(text, 4, 1)), 'x = f()');
  });

  it('allows the column one past the end of a line (the cursor after its last character)', () => {
    assert.equal(offsetAt(text, 1, 9), 8);
    assert.equal(text[offsetAt(text, 1, 9)], '\n');
    assert.equal(offsetAt(text, 3, 1), 22, 'an empty line has only column 1');
    assert.equal(offsetAt(text, 4, 8), text.length);
    assert.equal(offsetAt('', 1, 1), 0);
  });

  it('counts CRLF lines without the \\r', () => {
    const crlf = 'ab\r\ncd\r\n\r\nef';
    assert.equal(offsetAt(crlf, 2, 1), 4);
    assert.equal(offsetAt(crlf, 2, 3), 6, 'one past "cd" is the \\r');
    assert.throws(() => offsetAt(crlf, 2, 4), inputError(/--col 4 is past the end of line 2 \(2 characters\)/));
    assert.equal(offsetAt(crlf, 3, 1), 8);
    assert.throws(() => offsetAt(crlf, 3, 2), inputError(/past the end of line 3 \(0 characters\)/));
    assert.equal(offsetAt(crlf, 4, 3), crlf.length);
  });

  it('counts columns in UTF-16 code units', () => {
    const t = 'é😀x\n';
    assert.equal(t[offsetAt(t, 1, 4)], 'x', 'the emoji takes two columns');
  });

  it('refuses a line past the end of the file, saying how many lines it has', () => {
    assert.throws(() => offsetAt(text, 5, 1), inputError(/--line 5 is past the end of the file \(4 lines\)/));
    assert.throws(() => offsetAt('a\nb', 9, 1), inputError(/--line 9 is past the end of the file \(2 lines\)/));
  });

  it('refuses a column past one after the end of the line', () => {
    assert.throws(() => offsetAt(text, 1, 10), inputError(/--col 10 is past the end of line 1 \(8 characters\)/));
    assert.throws(() => offsetAt(text, 4, 9), inputError(/--col 9 is past the end of line 4 \(7 characters\)/));
  });

  it('refuses non-positive or fractional lines and columns', () => {
    assert.throws(() => offsetAt(text, 0, 1), inputError(/--line must be a positive integer \(got 0\)/));
    assert.throws(() => offsetAt(text, 1.5, 1), inputError(/--line must be a positive integer/));
    assert.throws(() => offsetAt(text, 1, 0), inputError(/--col must be a positive integer \(got 0\)/));
    assert.throws(() => offsetAt(text, 1, NaN), inputError(/--col must be a positive integer/));
  });
});

describe('readSourceFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-docpos-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a UTF-8 text file as is', () => {
    const file = path.join(dir, 'ok.py');
    const body = 'print("héllo")\r\n# ✓\n';
    fs.writeFileSync(file, body, 'utf8');
    assert.equal(readSourceFile(file), body);
  });

  it('refuses a missing file, naming it', () => {
    const file = path.join(dir, 'missing.py');
    assert.throws(() => readSourceFile(file), inputError(new RegExp(`cannot read ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`)));
  });

  it('refuses a directory', () => {
    assert.throws(() => readSourceFile(dir), (err: unknown) => inputError(/is not a regular file/)(err) && (err as Error).message.includes(dir));
  });

  it('refuses a file with NUL bytes as binary', () => {
    const file = path.join(dir, 'blob.bin');
    fs.writeFileSync(file, Buffer.from([0x68, 0x69, 0x00, 0x21]));
    assert.throws(() => readSourceFile(file), (err: unknown) => inputError(/looks binary \(it has NUL bytes\)/)(err) && (err as Error).message.includes(file));
  });
});
