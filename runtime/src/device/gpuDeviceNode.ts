// On Linux, whether any GPU device node exists; without one, a WebGPU adapter can only be a CPU emulation (lavapipe).
import * as fs from 'node:fs';

function hasEntry(dir: string, pattern: RegExp): boolean {
  try {
    return fs.readdirSync(dir).some((f) => pattern.test(f));
  } catch {
    return false;
  }
}

/** True off Linux (no cheap check there), or when /dev/dri/renderD* or /dev/nvidia<N> exists. */
export function hasGpuDeviceNode(): boolean {
  if (process.platform !== 'linux') return true;
  return hasEntry('/dev/dri', /^renderD\d+$/) || hasEntry('/dev', /^nvidia\d+$/);
}
