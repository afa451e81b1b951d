import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indentCuts, makeFimTasks, MAX_LINE_CHARS, wordCuts } from './makeFimTasks.js';

const py = (name: string, text: string) => ({ path: `/src/pkg/${name}`, language: 'python', text });
const code = 'import json\n\n\ndef load(path):\n    with open(path) as f:\n        return json.loads(f.read())\n\n\nclass Config:\n    def __init__(self):\n        self.config = load("x")\n';

describe('makeFimTasks', () => {
  it('cuts strictly inside words, or after the indentation of indented non-blank lines', () => {
    assert.deepEqual(wordCuts('a.bc(de)'), [3, 6]);
    assert.deepEqual(wordCuts('x = 1'), []);
    assert.deepEqual(indentCuts('    return x'), [4]);
    assert.deepEqual(indentCuts('return x'), []);
    assert.deepEqual(indentCuts('    '), []);
  });

  it('keeps the document: prefix + middle + suffix is the file, middle the rest of the line', () => {
    const tasks = makeFimTasks([py('a.py', code)], 10, 7, 10000);
    assert.equal(tasks.length, 10);
    assert.equal(tasks.filter((t) => t.id.endsWith(':indent')).length, 2);
    for (const t of tasks) {
      assert.equal(t.prefix + t.middle + t.suffix, code);
      assert.ok(!t.middle.includes('\n') && t.middle.trim() !== '' && (t.suffix === '' || t.suffix.startsWith('\n')));
    }
    assert.equal(new Set(tasks.map((t) => t.id)).size, tasks.length);
  });

  it('cuts prefix and suffix at line boundaries within max-chars', () => {
    const long = Array.from({ length: 200 }, (_, i) => `    value_${i} = compute(value_${i - 1})\n`).join('');
    for (const t of makeFimTasks([py('b.py', long)], 20, 3, 300)) {
      assert.ok(t.prefix.length <= 300 && t.suffix.length <= 300);
      assert.ok(long.includes(t.prefix + t.middle + t.suffix));
      assert.ok(long.startsWith(t.prefix) || long.includes(`\n${t.prefix}`), 'prefix starts a line');
      assert.ok(t.suffix === '' || t.suffix.endsWith('\n'));
    }
  });

  it('skips long lines, minified files and CR line ends; same seed, same tasks', () => {
    const longLine = `x = ${'a'.repeat(MAX_LINE_CHARS)}\n`;
    const tasks = makeFimTasks([py('c.py', `${longLine.repeat(5)}    short_name = 1\n`), py('min.py', `${'b'.repeat(2000)}\n`), py('crlf.py', 'def f():\r\n    return 1\r\n')], 5, 1, 1000);
    assert.ok(tasks.length > 0 && tasks.every((t) => t.id.startsWith('pkg/c.py:6:')));
    assert.deepEqual(makeFimTasks([py('a.py', code)], 8, 5, 500), makeFimTasks([py('a.py', code)], 8, 5, 500));
    assert.notDeepEqual(makeFimTasks([py('a.py', code)], 8, 5, 500), makeFimTasks([py('a.py', code)], 8, 6, 500));
  });
});
