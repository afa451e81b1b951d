// Builds toolgen tasks from a real project: `member` (the cursor right after `obj.`, kept only where the language
// service offers the true identifier there, as ToolGen marks its training data) and `function` (a documented
// function of at most 50 lines with its body removed).
import * as path from 'node:path';
import { seededRandom } from '../../../runtime/src/index.js';
import type { SourceFile } from '../codeCorpus.js';
import type { ToolSet } from './toolgenTools.js';
import { taskUri, type ToolgenTask } from './toolgenTask.js';
import { functionCuts } from './functionCuts.js';

/** A member access `x.name` (after a name, a call or an index), not `1.5` or `...x`. */
const MEMBER = /(?<=[\w$)\]])\.([A-Za-z_$][\w$]*)/g;
/** Sites tried per file before moving on. */
const TRIES_PER_FILE = 4;
/** How long the tool may take to confirm a site while building (a cold service takes seconds at first). */
const CONFIRM_BUDGET_MS = 20_000;

/** Offsets right after a `.` of a member access in code (no comment start and no open quote before it on its line). */
export function memberSites(text: string): { offset: number; name: string }[] {
  const out: { offset: number; name: string }[] = [];
  for (const m of text.matchAll(MEMBER)) {
    const dot = m.index!;
    const lineStart = text.lastIndexOf('\n', dot) + 1;
    const before = text.slice(lineStart, dot);
    if (/^\s*(\*|\/\*)/.test(before) || /#|\/\//.test(before) || /^\d+$/.test(/[\w$]*$/.exec(before)![0])) continue;
    if ((before.match(/["'`]/g)?.length ?? 0) % 2 === 1) continue;
    out.push({ offset: dot + 1, name: m[1]! });
  }
  return out;
}

/** The project root a task keeps: `from`, relative to the repository when inside it (node_modules/… on any machine). */
function rootOf(from: string): string {
  const rel = path.relative(process.cwd(), path.resolve(from));
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(from) : rel || '.';
}

function shuffle<T>(items: T[], r: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export interface ToolgenBuildOptions {
  from: string;
  members: number;
  functions: number;
  seed: number;
  /** Files longer than this are skipped (the task holds the whole file). */
  maxChars: number;
  tools: ToolSet;
}

/** The source's name in task ids: the folder's name (its parent's for a `src` folder). */
function sourceTag(from: string): string {
  const abs = path.resolve(from);
  return path.basename(abs) === 'src' ? path.basename(path.dirname(abs)) : path.basename(abs);
}

/** At most one member task and one function task per file, files in seeded order. */
export async function makeToolgenTasks(files: SourceFile[], o: ToolgenBuildOptions): Promise<ToolgenTask[]> {
  const r = seededRandom(o.seed);
  const tag = sourceTag(o.from);
  const usable = files.filter((f) => f.text.length <= o.maxChars && !f.path.endsWith('.d.ts') && !f.text.includes('\r'));
  const members: ToolgenTask[] = [];
  const functions: ToolgenTask[] = [];
  for (const f of shuffle(usable, r)) {
    if (members.length >= o.members && functions.length >= o.functions) break;
    const base = { language: f.language, root: rootOf(o.from), file: path.relative(o.from, f.path) };
    if (functions.length < o.functions) {
      const cut = shuffle(functionCuts(f.text, f.language), r)[0];
      if (cut) functions.push({ id: `${tag}/${base.file}:${cut.line}:function`, kind: 'function', ...base, prefix: f.text.slice(0, cut.start), suffix: f.text.slice(cut.end), expected: f.text.slice(cut.start, cut.end) });
    }
    if (members.length < o.members) {
      const task = await memberTask(f, base, r, o.tools, tag);
      if (task) members.push(task);
    }
    process.stderr.write(`make-tasks toolgen: ${members.length} member, ${functions.length} function tasks\r`);
  }
  process.stderr.write('\n');
  return [...members, ...functions];
}

/** A member task at one of the file's member accesses where the tool offers the true identifier. */
async function memberTask(f: SourceFile, base: Pick<ToolgenTask, 'language' | 'root' | 'file'>, r: () => number, tools: ToolSet, tag: string): Promise<ToolgenTask | undefined> {
  const tool = tools.forLanguage(f.language);
  if (!tool) return undefined;
  for (const site of shuffle(memberSites(f.text), r).slice(0, TRIES_PER_FILE)) {
    const task: ToolgenTask = { id: '', kind: 'member', ...base, prefix: f.text.slice(0, site.offset), suffix: f.text.slice(site.offset + site.name.length), expected: site.name };
    const line = f.text.slice(0, site.offset).split('\n').length;
    task.id = `${tag}/${base.file}:${line}:member`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), CONFIRM_BUDGET_MS);
    try {
      const names = await tool.names({ text: task.prefix + task.suffix, offset: task.prefix.length, uri: taskUri(task), languageId: f.language }, controller.signal);
      if (names.includes(site.name)) return task;
    } catch {
      // a tool failure on this file: try the next site
    } finally {
      clearTimeout(timer);
    }
  }
  return undefined;
}
