// Test support: the committed fixture models and the devices a test run covers (WebGPU when an adapter exists).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveDevice } from '../device/resolveDevice.js';
import type { DeviceKind } from '../device/Device.js';
import { LanguageModel, type LoadOptions } from '../model/LanguageModel.js';
import { readModelFolder, type FolderOptions } from '../model/ModelFolder.js';

export const FIXTURES = [
  'tiny-llama',
  'deepseek-style',
  'qwen2-style',
  'partial-rotary',
  'interleaved-rope',
  'fp16-kv',
  'starcoder2-style',
  'rotary-pct',
  'llama3-rope',
  'yarn-rope',
  'external-data',
  'quantized',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

/** The bundled model, tested beside the fixtures. */
export const BUNDLED_MODEL = 'splice-tiny';
export type TestModelName = FixtureName | typeof BUNDLED_MODEL;
export const TEST_MODELS: readonly TestModelName[] = [...FIXTURES, BUNDLED_MODEL];

function modelsDir(sub: string): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'runtime', 'models', sub);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`runtime/models/${sub} not found above ${__dirname}`);
}

export function fixtureDir(name: FixtureName): string {
  return modelsDir(path.join('fixtures', name));
}

/** A fixture's folder, or the bundled model's. */
export function testModelDir(name: TestModelName): string {
  return name === BUNDLED_MODEL ? modelsDir(BUNDLED_MODEL) : fixtureDir(name);
}

/** Loads a test model on a device: the graph the device's rule picks, or `opts.variant`. */
export async function loadFixture(name: TestModelName, device: DeviceKind, opts?: LoadOptions & Pick<FolderOptions, 'variant'>): Promise<LanguageModel> {
  return LanguageModel.load(readModelFolder(testModelDir(name), { device, variant: opts?.variant }), device, opts);
}

/**
 * Devices to test on: cpu always; webgpu when an adapter works. With SPLICE_REQUIRE_WEBGPU=1 (CI) a missing
 * adapter fails the run instead of skipping.
 */
export async function devicesUnderTest(): Promise<{ device: DeviceKind; skip: string | false }[]> {
  let skip: string | false = false;
  try {
    await resolveDevice('webgpu');
  } catch (err) {
    if (process.env.SPLICE_REQUIRE_WEBGPU === '1') throw err;
    skip = `no WebGPU adapter: ${(err as Error).message}`;
  }
  return [
    { device: 'cpu', skip: false },
    { device: 'webgpu', skip },
  ];
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A short piece of code tokenized by the fixture tokenizer. */
export const SAMPLE_CODE = 'def area(radius):\n    return 3.14159 * radius ** 2\n\nclass Shape:\n    pass\n';
