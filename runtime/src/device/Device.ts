// Execution providers: what the user may ask for, what is installed here, and the onnxruntime options for each.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { SpliceError } from '../errors.js';

export type DeviceRequest = 'cpu' | 'webgpu' | 'cuda' | 'auto';
export type DeviceKind = 'cpu' | 'webgpu' | 'cuda';

export const DEVICE_REQUESTS: readonly DeviceRequest[] = ['cpu', 'webgpu', 'cuda', 'auto'];

export function parseDeviceRequest(value: string): DeviceRequest {
  if ((DEVICE_REQUESTS as readonly string[]).includes(value)) return value as DeviceRequest;
  throw new SpliceError('input', `unknown device "${value}" (expected one of ${DEVICE_REQUESTS.join(', ')})`);
}

/** Whether the provider's binaries are present in this onnxruntime-node install (CUDA is an opt-in download). */
export function isProviderInstalled(kind: DeviceKind): boolean {
  if (kind === 'cpu') return true;
  const backend = ort.listSupportedBackends().find((b) => b.name === kind);
  if (!backend) return false;
  if (backend.bundled) return true;
  return hasCudaProviderLibrary();
}

function hasCudaProviderLibrary(): boolean {
  // The opt-in install (ONNXRUNTIME_NODE_INSTALL=cuda12) puts libonnxruntime_providers_cuda.so beside the binding.
  const binDir = path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin');
  try {
    return fs.readdirSync(binDir).some((napi) => {
      const dir = path.join(binDir, napi, process.platform, process.arch);
      return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.startsWith('libonnxruntime_providers_cuda'));
    });
  } catch {
    return false;
  }
}

/** Whether outputs can stay on the device between runs (`gpu-buffer` tensors). */
export function keepsDataOnDevice(kind: DeviceKind): boolean {
  return kind === 'webgpu';
}

/** `threads`: onnxruntime's intra-op threads (default: its own choice). */
export function sessionOptions(kind: DeviceKind, outputLocation?: ort.InferenceSession.SessionOptions['preferredOutputLocation'], threads?: number): ort.InferenceSession.SessionOptions {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: [kind],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  if (threads !== undefined) opts.intraOpNumThreads = threads;
  if (outputLocation !== undefined && keepsDataOnDevice(kind)) opts.preferredOutputLocation = outputLocation;
  return opts;
}
