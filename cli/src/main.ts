// `splice` command line: the headless face of the runtime (complete, info, lsp --stdio, make-tasks, eval, bench).
import { SpliceError } from '../../runtime/src/index.js';
import { UsageError } from './args.js';
import { runBench } from './benchCommand.js';
import { runComplete } from './completeCommand.js';
import { runEval } from './evalCommand.js';
import { runMakeTasks } from './makeTasksCommand.js';
import { runInfo } from './infoCommand.js';
import { runLsp } from './lspCommand.js';
import { runModels } from './modelsCommand.js';

const USAGE = `usage: splice <command> [options]

commands:
  complete --file F --line L --col C [--model DIR] [--device cpu|webgpu|cuda|auto] [--variant V] [--max-tokens N]
           [--temperature T] [--top-p P] [--seed S] [--json]
                         complete at line L, column C (1-based, as the editor shows them)
  info [--model DIR] [--device D] [--variant V] [--json]
                         model, tokenizer and device details; which onnx/model*.onnx and why (--variant
                         auto|fp32|fp16|q4|q4f16|int8|uint8|quantized|bnb4 picks one, default auto)
  lsp --stdio            run the language server over stdin/stdout
  models list [--models-dir D] [--hub [--endpoint URL]] [--json]
                         installed models and the curated hub models (--hub: their sizes and files, asked of the hub)
  models pull OWNER/NAME[:VARIANT] [--revision R] [--endpoint URL] [--models-dir D] [--json]
                         download a hub model (config, tokenizer, one ONNX variant) with progress; resumes, checks sha256
                         (HF_ENDPOINT, HF_TOKEN, HTTPS_PROXY honoured; models folder: SPLICE_MODELS_DIR or ~/.cache/splice/models)
  models rm OWNER/NAME[:VARIANT] [--models-dir D]
                         remove an installed model (every variant without :VARIANT)
  make-tasks pie --from DIR --out FILE.jsonl [--count N] [--seed S] [--max-chars C]
                         PIE tasks from real code: edits above a cursor, next line expected
  make-tasks toolgen --from DIR --out FILE.jsonl [--count 200] [--functions 100] [--seed S] [--max-chars 8000]
                         member tasks (cursor after obj., confirmed by the language service) and documented-function tasks
  make-tasks fim --from DIR --out FILE.jsonl [--count N] [--seed S] [--max-chars C]
                         FIM tasks from real code: cursors inside words or after indentation, rest of the line expected
  eval pie --tasks FILE.jsonl [--model DIR] [--device D] [--modes full,pie,conflict] [--limit N] [--details OUT.jsonl] [--json]
                         next-line exact match / edit similarity and cache-update time per mode
  eval fim --tasks FILE.jsonl [--model DIR] [--device D] [--modes naive,healing,byte] [--limit N] [--details OUT.jsonl] [--json]
                         FIM next-line exact match (greedy; prefix 768 / suffix 256 tokens); with --modes per prompt
                         mode em / es / ms per completion, paired on es (sign test)
  eval toolgen --tasks FILE.jsonl [--model DIR] [--device D] [--tool-budget 1000] [--gate 0.8] [--limit N] [--details OUT.jsonl] [--json]
                         member tasks (identifier exact match, validity) and function tasks (static validity, dependency
                         coverage), plain vs tool-guided, paired (sign test); tool-call latency
  eval shape --tasks FILE.jsonl [--model DIR] [--device D] [--prompt-mode byte|healing|naive] [--limit N] [--details OUT.jsonl] [--json]
                         the FIM tasks raw vs shaped by the completion pipeline (same generation): em, es, junk shares,
                         the confidence gate's table, pipeline time
  bench pie [--model DIR] [--device cpu,webgpu] [--sizes 512,1024,...] [--runs N] [--from DIR] [--json]
                         cache-update time after an edit: PIE vs full re-encoding (ratio = pie/full)
  bench fim [--model DIR] [--device cpu,webgpu] [--runs N] [--tasks FILE] [--limit 30] [--json]
                         time per completion of the healing and byte prompt modes vs naive (ratio = mode/naive)
  bench tools [--model DIR] [--device D] [--tasks FILE] [--limit 40] [--runs 3] [--json]
                         completion-tool latency per trigger with a warm service vs a plain completion (ratio = tool/completion)
  bench latency [--model DIR] [--device D] [--sizes 500,2000,8000,25000] [--from DIR] [--key-ms 60] [--quick] [--details] [--json]
                         an editing session replayed over LSP: keystroke-to-completion time, pie vs none (ratio = pie/none)
  bench shape [--model DIR] [--device D] [--tasks FILE] [--limit 100] [--runs N] [--json]
                         the completion pipeline's time per completion: incremental tree-sitter parses vs full ones
`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  complete: runComplete,
  info: runInfo,
  lsp: runLsp,
  bench: runBench,
  eval: runEval,
  'make-tasks': runMakeTasks,
  models: runModels,
};

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`splice: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    await handler(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`splice ${command}: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof SpliceError) {
      process.stderr.write(`splice ${command}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`splice ${command}: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

/** Runs a command line; exits with its status unless it started the language server, which keeps running. */
export function main(argv: string[]): void {
  void run(argv).then((code) => {
    if (argv[0] !== 'lsp' || code !== 0) process.exit(code);
  });
}
