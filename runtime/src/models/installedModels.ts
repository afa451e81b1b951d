// The models in the models folder (those `splice models pull` installed, each with its splice-model.json), and removing one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpliceError } from '../errors.js';
import { parseModelRef } from './modelRef.js';
import { readManifest, type ModelManifest } from './pullModel.js';

export interface InstalledModel {
  /** The folder (what `splice.modelPath` / `--model` takes). */
  dir: string;
  /** `owner/name:variant`. */
  id: string;
  bytes: number;
  manifest: ModelManifest;
}

export function listInstalled(modelsDir: string): InstalledModel[] {
  const out: InstalledModel[] = [];
  for (const owner of subdirs(modelsDir).filter((d) => !d.startsWith('.'))) {
    for (const name of subdirs(path.join(modelsDir, owner))) {
      const dir = path.join(modelsDir, owner, name);
      const manifest = readManifest(dir);
      if (manifest) out.push({ dir, id: `${manifest.repo}:${manifest.variant}`, bytes: manifest.files.reduce((n, f) => n + f.size, 0), manifest });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Removes `owner/name:variant`, or every variant of `owner/name`, and their unfinished downloads; returns the folders
 * removed. Nothing installed under that name is an `input` error.
 */
export function removeModel(modelsDir: string, name: string): string[] {
  const ref = parseModelRef(name);
  const hits = listInstalled(modelsDir).filter((m) => m.manifest.repo.toLowerCase() === ref.repo.toLowerCase() && (!ref.variant || m.manifest.variant === ref.variant));
  const partialPrefix = `${ref.repo.replace('/', '--')}-${ref.variant ?? ''}`.toLowerCase();
  const partials = subdirs(path.join(modelsDir, '.partial')).filter((d) => d.toLowerCase().startsWith(partialPrefix)).map((d) => path.join(modelsDir, '.partial', d));
  if (hits.length === 0 && partials.length === 0) throw new SpliceError('input', `no model "${name}" in ${modelsDir} (see \`splice models list\`)`);
  const removed = [...hits.map((m) => m.dir), ...partials];
  for (const dir of removed) fs.rmSync(dir, { recursive: true, force: true });
  return removed;
}

function subdirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}
