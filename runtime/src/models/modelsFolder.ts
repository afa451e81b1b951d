// Where downloaded models live: a per-user folder (SPLICE_MODELS_DIR, else the platform's cache folder) and each model's place in it.
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelVariant } from './modelRef.js';

/** `SPLICE_MODELS_DIR`, else `%LOCALAPPDATA%\splice\models` on Windows, else `$XDG_CACHE_HOME/splice/models` (`~/.cache`). */
export function defaultModelsFolder(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SPLICE_MODELS_DIR) return path.resolve(env.SPLICE_MODELS_DIR);
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'splice', 'models');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'splice', 'models');
}

/** The setting if given, else the default folder. */
export function modelsFolder(setting?: string, env: NodeJS.ProcessEnv = process.env): string {
  return setting && setting.trim() ? path.resolve(setting.trim().replace(/^~(?=$|[/\\])/, os.homedir())) : defaultModelsFolder(env);
}

/** `<models>/<owner>/<name>-<variant>`: the folder name (what the status bar shows) names the variant. */
export function installedModelDir(root: string, repo: string, variant: ModelVariant): string {
  const [owner, name] = repo.split('/') as [string, string];
  return path.join(root, owner, `${name}-${variant}`);
}

/** Downloads in progress: `<models>/.partial/<owner>--<name>-<variant>-<commit>`, kept across runs so a pull resumes. */
export function partialDir(root: string, repo: string, variant: ModelVariant, commit: string): string {
  return path.join(root, '.partial', `${repo.replace('/', '--')}-${variant}-${commit.slice(0, 12)}`);
}

/** The file in an installed model's folder that says where it came from. */
export const MANIFEST_FILE = 'splice-model.json';
