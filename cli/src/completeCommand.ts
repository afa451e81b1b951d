// `splice complete`: one fill-in-the-middle completion at a file position.
import { Engine, SpliceError, PROMPT_MODES, type PromptMode } from '../../runtime/src/index.js';
import { offsetAt, readSourceFile } from './documentPosition.js';
import { ENGINE_OPTIONS, engineOptions } from './engineOptions.js';
import { parse, UsageError } from './args.js';

function intOption(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n)) throw new SpliceError('input', `--${name} must be an integer (got "${value}")`);
  return n;
}

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new SpliceError('input', `--${name} must be a number (got "${value}")`);
  return n;
}

export async function runComplete(args: string[]): Promise<void> {
  const v = parse(args, {
    ...ENGINE_OPTIONS,
    file: { type: 'string' },
    line: { type: 'string' },
    col: { type: 'string' },
    'max-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
    'prompt-mode': { type: 'string', default: 'byte' },
  });
  if (!v.file) throw new UsageError('--file is required');
  const text = readSourceFile(v.file);
  const offset = offsetAt(text, intOption('line', v.line), intOption('col', v.col));
  const maxTokens = intOption('max-tokens', v['max-tokens'], 64);
  const sampling = { temperature: numberOption('temperature', v.temperature, 0), topP: numberOption('top-p', v['top-p'], 1), seed: intOption('seed', v.seed, 0) };
  const promptMode = v['prompt-mode'] as PromptMode;
  if (!PROMPT_MODES.includes(promptMode)) throw new SpliceError('input', `--prompt-mode must be one of ${PROMPT_MODES.join(', ')} (got "${promptMode}")`);
  const engine = await Engine.open(engineOptions(v));
  try {
    const r = await engine.complete({ text, offset, maxTokens, sampling, promptMode });
    const info = engine.info();
    const firstTokenP = r.confidence && Math.round(Math.exp(r.confidence.firstTokenLogprob) * 10000) / 10000;
    if (v.json) process.stdout.write(`${JSON.stringify({ completion: r.completion, model: info.model, device: info.device, ms: Math.round(r.ms * 10) / 10, firstTokenP })}\n`);
    else process.stdout.write(`${r.completion}\n`);
  } finally {
    await engine.close();
  }
}
