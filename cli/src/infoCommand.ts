// `splice info`: what model and device a completion would use, and which providers are installed.
import { Engine, isProviderInstalled } from '../../runtime/src/index.js';
import { ENGINE_OPTIONS, engineOptions } from './engineOptions.js';
import { parse } from './args.js';

export async function runInfo(args: string[]): Promise<void> {
  const v = parse(args, ENGINE_OPTIONS);
  const engine = await Engine.open(engineOptions(v));
  try {
    const providers = Object.fromEntries((['cpu', 'webgpu', 'cuda'] as const).map((k) => [k, isProviderInstalled(k)]));
    const info = { ...engine.info(), providersInstalled: providers };
    if (v.json) process.stdout.write(`${JSON.stringify(info)}\n`);
    else for (const [k, val] of Object.entries(info)) process.stdout.write(`${k}: ${typeof val === 'object' ? JSON.stringify(val) : String(val)}\n`);
  } finally {
    await engine.close();
  }
}
