// Turns a device request (cpu, webgpu, cuda, auto) into a working execution provider, saying why it chose it.
import * as ort from 'onnxruntime-node';
import { SpliceError } from '../errors.js';
import { GraphBuilder } from '../onnx/GraphBuilder.js';
import { type DeviceKind, type DeviceRequest, isProviderInstalled, sessionOptions } from './Device.js';
import { hasGpuDeviceNode } from './gpuDeviceNode.js';

export interface ResolvedDevice {
  kind: DeviceKind;
  /** One line for logs and the status bar: what was asked, what was picked and why. */
  reason: string;
}

const probeCache = new Map<DeviceKind, Promise<string | undefined>>();

/** Runs a one-op graph on the provider; resolves to an error message, or undefined when it works. */
function probe(kind: DeviceKind): Promise<string | undefined> {
  let p = probeCache.get(kind);
  if (!p) {
    p = (async () => {
      if (!isProviderInstalled(kind)) return `the ${kind} provider's binaries are not installed`;
      try {
        const g = new GraphBuilder('probe');
        g.input('x', 'float32', [1]);
        g.op('Neg', ['x'], undefined, ['y']);
        g.output('y', 'float32', [1]);
        const session = await ort.InferenceSession.create(g.toBytes(), sessionOptions(kind, 'cpu'));
        const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([2]), [1]) });
        await session.release();
        return (out.y!.data as Float32Array)[0] === -2 ? undefined : 'a test graph returned a wrong value';
      } catch (err) {
        return (err as Error).message.split('\n')[0];
      }
    })();
    probeCache.set(kind, p);
  }
  return p;
}

export async function resolveDevice(request: DeviceRequest): Promise<ResolvedDevice> {
  if (request !== 'auto') {
    const problem = await probe(request);
    if (problem) throw new SpliceError('device', `device "${request}" is not usable: ${problem}`);
    return { kind: request, reason: `${request} (requested)` };
  }
  const skipped: string[] = [];
  for (const kind of ['cuda', 'webgpu'] as const) {
    const problem = kind === 'webgpu' && !hasGpuDeviceNode() ? 'no GPU device node (/dev/dri/renderD*, /dev/nvidia*), so only a software adapter' : await probe(kind);
    if (!problem) return { kind, reason: `${kind} (auto${skipped.length ? `; ${skipped.join('; ')}` : ''})` };
    skipped.push(`${kind}: ${problem}`);
  }
  return { kind: 'cpu', reason: `cpu (auto; ${skipped.join('; ')})` };
}
