// Typed errors of the runtime: every failure a user can cause names the file and field (or path) at fault.

/** Why a runtime call failed; the CLI and the language server map these to messages at one boundary. */
export type SpliceErrorCode =
  | 'model-folder' // missing or invalid file in a model folder
  | 'device' // execution provider unavailable or failed
  | 'input' // bad argument from a caller (file, line, column, option)
  | 'inference' // onnxruntime failed while running a graph
  | 'download'; // a model download failed (hub refused, network, checksum, disk space)

export class SpliceError extends Error {
  constructor(
    readonly code: SpliceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SpliceError';
  }
}

/** A model folder that violates the contract: the message names the file and the field. */
export class ModelFolderError extends SpliceError {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super('model-folder', field ? `${file}: field "${field}" ${problem}` : `${file}: ${problem}`);
    this.name = 'ModelFolderError';
  }
}

/** True when `err` is the abort of a cancelled request (cancellation is not an error). */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Throws the standard AbortError if the signal fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const err = new Error('aborted');
    err.name = 'AbortError';
    throw err;
  }
}
