// Toolgen task pieces on small fixtures: member sites, documented-function cuts, the generated body's cut, dependencies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionCuts } from './functionCuts.js';
import { memberSites } from './makeToolgenTasks.js';
import { cutBody, dependencies } from './toolgenEval.js';
import type { ToolgenTask } from './toolgenTask.js';

const PY = 'import os\n\n\ndef home(sub):\n    """The home folder."""\n    base = os.path.expanduser("~")\n    return os.path.join(base, sub)\n\n\nx = 1.5  # os.sep\n';
const TS = 'export class A {\n  /** Doubles. */\n  twice(x: number): number {\n    const y = x * 2;\n    return y;\n  }\n}\n';

const task = (over: Partial<ToolgenTask>): ToolgenTask => ({ id: 't', kind: 'function', language: 'python', root: '.', file: 'a.py', prefix: '', suffix: '', expected: '', ...over });

describe('memberSites', () => {
  it('finds member accesses on code, not numbers, comments or strings', () => {
    const names = memberSites(PY).map((s) => s.name);
    assert.deepEqual(names, ['path', 'expanduser', 'path', 'join']);
    assert.deepEqual(memberSites('s = "a.b"\nt = s.upper()\n').map((s) => s.name), ['upper']);
    const first = memberSites(PY)[0]!;
    assert.equal(PY.slice(first.offset, first.offset + 4), 'path');
  });
});

describe('functionCuts', () => {
  it('Python: the body after the docstring, from the first line indentation on', () => {
    const [cut] = functionCuts(PY, 'python');
    assert.equal(PY.slice(cut!.start, cut!.end), 'base = os.path.expanduser("~")\n    return os.path.join(base, sub)\n');
  });

  it('TypeScript: a documented method body between its braces', () => {
    const [cut] = functionCuts(TS, 'typescript');
    assert.equal(TS.slice(cut!.start, cut!.end), 'const y = x * 2;\n    return y;\n');
  });

  it('skips functions without a docstring', () => {
    assert.deepEqual(functionCuts('def f():\n    return 1\n', 'python'), []);
  });
});

describe('cutBody and dependencies', () => {
  it('Python: the body ends at a line dedented to the def', () => {
    const t = task({ prefix: 'def f(a):\n    """Doc."""\n    ' });
    assert.equal(cutBody(t, 'x = a\n    return x\n\ndef g():\n    pass\n'), 'x = a\n    return x\n');
  });

  it('TypeScript: the body ends before the brace that closes the function', () => {
    const t = task({ language: 'typescript', prefix: 'function f(a) {\n  ' });
    assert.equal(cutBody(t, 'if (a) { return 1; }\n  return 2;\n}\nfunction g() {}\n'), 'if (a) { return 1; }\n  return 2;\n');
  });

  it('dependencies are the reference body names the rest of the file also names, keywords aside', () => {
    const t = task({ prefix: 'import os\ndef home(sub):\n    ', suffix: '\nhome("x")\n', expected: 'base = os.getcwd()\n    return os.path.join(base, sub)\n' });
    assert.deepEqual([...dependencies(t)].sort(), ['os', 'sub']);
  });
});
