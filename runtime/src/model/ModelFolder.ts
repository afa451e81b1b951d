// Reads a model folder per the contract (config.json, tokenizer.json, tokenizer_config.json, onnx/model*.onnx).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelFolderError } from '../errors.js';
import { fimTemplateFor, type FimTemplate } from '../fim/FimTemplate.js';
import { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import type { DeviceKind } from '../device/Device.js';
import { type ModelConfig, parseModelConfig } from './ModelConfig.js';
import { chooseVariant, type VariantChoice, type VariantRequest } from './modelVariant.js';

export interface ModelFolder {
  dir: string;
  /** Folder name, shown to users (status bar, --json "model"). */
  name: string;
  config: ModelConfig;
  tokenizer: SpliceTokenizer;
  /** FIM layout and stop tokens, from the tokenizer's special tokens. */
  fim: FimTemplate;
  onnxPath: string;
  /** Which of the folder's ONNX graphs onnxPath is, and why (see modelVariant.ts). */
  variant: VariantChoice;
}

export interface FolderOptions {
  /** The device the graph is chosen for (default cpu). */
  device?: DeviceKind;
  /** A variant by name instead of the device's rule (default auto). */
  variant?: VariantRequest;
}

function readJson(dir: string, file: string): unknown {
  const full = path.join(dir, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch {
    throw new ModelFolderError(full, undefined, 'is missing or unreadable');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFolderError(full, undefined, `is not valid JSON (${(err as Error).message})`);
  }
}

/** The graph for a device among onnx/model*.onnx (see chooseVariant). */
function findOnnx(dir: string, opts: FolderOptions): { onnxPath: string; variant: VariantChoice } {
  const onnxDir = path.join(dir, 'onnx');
  const files = fs.existsSync(onnxDir) ? fs.readdirSync(onnxDir) : [];
  const variant = chooseVariant(onnxDir, files, opts.device ?? 'cpu', opts.variant ?? 'auto');
  return { onnxPath: path.join(onnxDir, variant.file), variant };
}

/** The same folder with the graph chosen for another device or variant. */
export function withVariant(folder: ModelFolder, opts: FolderOptions): ModelFolder {
  return { ...folder, ...findOnnx(folder.dir, opts) };
}

export function readModelFolder(dir: string, opts: FolderOptions = {}): ModelFolder {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new ModelFolderError(abs, undefined, 'is not a model folder (no such directory)');
  }
  const withFile = <T>(file: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ModelFolderError && !path.isAbsolute(err.file)) throw new ModelFolderError(path.join(abs, err.file), err.field, err.problem);
      throw err;
    }
  };
  const config = withFile('config.json', () => parseModelConfig(readJson(abs, 'config.json')));
  const tokenizerJson = readJson(abs, 'tokenizer.json');
  const tokenizerConfig = readJson(abs, 'tokenizer_config.json');
  if (typeof tokenizerConfig !== 'object' || tokenizerConfig === null) {
    throw new ModelFolderError(path.join(abs, 'tokenizer_config.json'), undefined, 'must hold a JSON object');
  }
  const tokenizer = withFile('tokenizer.json', () => new SpliceTokenizer(tokenizerJson, tokenizerConfig as Record<string, unknown>));
  const fim = withFile('tokenizer_config.json', () => fimTemplateFor(tokenizer));
  return { dir: abs, name: path.basename(abs), config, tokenizer, fim, ...findOnnx(abs, opts) };
}
