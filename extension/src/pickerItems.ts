// What the model picker lists, as plain data (testable without VS Code): the bundled model, installed models, a local
// folder, and the hub's models (curated and the user's own), marking the one in use.
import type { ModelList } from '../../language-server/src/protocol.js';

export type PickAction =
  | { kind: 'path'; modelPath: string }
  | { kind: 'folder' }
  | { kind: 'hub' }
  | { kind: 'pull'; model: string }
  | { kind: 'other' };

export interface PickerEntry {
  label: string;
  description?: string;
  detail?: string;
  /** A heading above this entry's group. */
  group?: string;
  action: PickAction;
}

/** The first level: the bundled model, installed ones, a folder, and the way to the hub. */
export function modelEntries(list: ModelList, currentPath: string): PickerEntry[] {
  const inUse = (p: string) => (sameDir(currentPath, p) ? ' (in use)' : '');
  const entries: PickerEntry[] = [
    { label: `$(package) ${list.bundled.name}`, description: `bundled, no download${currentPath.trim() === '' ? ' (in use)' : ''}`, group: 'On this machine', action: { kind: 'path', modelPath: '' } },
    ...list.installed.map((m) => ({ label: `$(database) ${m.id}`, description: `${formatSize(m.bytes)}${inUse(m.dir)}`, detail: m.dir, action: { kind: 'path' as const, modelPath: m.dir } })),
    { label: '$(folder-opened) Choose a model folder…', description: 'a Hugging Face layout folder with onnx/model*.onnx', action: { kind: 'folder' } },
    { label: '$(cloud-download) Download a model from the hub…', description: `into ${list.modelsDir}`, group: 'Hub', action: { kind: 'hub' } },
  ];
  return entries;
}

/** The second level: the curated models and the user's extra ones, with sizes once the hub told them. */
export function hubEntries(list: ModelList, extra: string[], sizes: ReadonlyMap<string, number | string>): PickerEntry[] {
  const installed = new Set(list.installed.map((m) => m.id.split(':')[0]!.toLowerCase()));
  const size = (model: string) => {
    const s = sizes.get(model);
    return s === undefined ? 'size: asking the hub…' : typeof s === 'number' ? formatSize(s) : s;
  };
  const mark = (repo: string) => (installed.has(repo.toLowerCase()) ? ' · installed' : '');
  const curated = list.catalog.map((e) => {
    const model = `${e.repo}:${e.variant}`;
    return { label: e.repo, description: `${size(model)} · ${e.params} · ${e.licence} · ${e.variant}${mark(e.repo)}`, detail: `${e.note}; fetches config, tokenizer and the ${e.variant} ONNX weights`, action: { kind: 'pull' as const, model } };
  });
  const own = extra.map((model) => ({ label: model.split(':')[0]!, description: `${size(model)} · ${model.split(':')[1] ?? 'fp32'}${mark(model.split(':')[0]!)}`, detail: 'from splice.hubModels', action: { kind: 'pull' as const, model } }));
  return [...own, ...curated, { label: '$(edit) Another hub model…', description: 'owner/name or owner/name:variant (an ONNX export)', action: { kind: 'other' } }];
}

/** 634_456 → "634 KB", 1.2e9 → "1.2 GB". */
export function formatSize(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

function sameDir(a: string, b: string): boolean {
  const norm = (p: string) => p.trim().replace(/[/\\]+$/, '');
  return norm(a) !== '' && norm(a) === norm(b);
}
