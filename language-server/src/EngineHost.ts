// Owns the runtime Engine for the server: loads it for the current settings, reloads on change, reports status.
import { Engine, type EngineOptions } from '../../runtime/src/index.js';
import type { SpliceSettings, SpliceStatus } from './protocol.js';

export class EngineHost {
  private engine: Promise<Engine> | undefined;
  private key = '';
  /** True once an engine has loaded (background cache syncs never trigger a model load themselves). */
  loaded = false;

  constructor(private readonly report: (status: SpliceStatus) => void) {}

  /** The engine for these settings, loading (or reloading) it if the model or device changed. */
  get(settings: SpliceSettings): Promise<Engine> {
    const key = `${settings.modelPath}\0${settings.device}`;
    if (!this.engine || key !== this.key) {
      const previous = this.engine;
      this.key = key;
      this.engine = this.load(settings, previous);
    }
    return this.engine;
  }

  private async load(settings: SpliceSettings, previous: Promise<Engine> | undefined): Promise<Engine> {
    await previous?.then((e) => e.close()).catch(() => undefined);
    this.report({ state: 'loading' });
    const opts: EngineOptions = { modelDir: settings.modelPath || undefined, device: settings.device };
    try {
      const engine = await Engine.open(opts);
      this.loaded = true;
      const info = engine.info();
      this.report({ state: 'ready', model: info.model, device: info.device, detail: info.deviceReason });
      return engine;
    } catch (err) {
      this.report({ state: 'error', detail: (err as Error).message });
      throw err;
    }
  }

  async dispose(): Promise<void> {
    await this.engine?.then((e) => e.close()).catch(() => undefined);
    this.engine = undefined;
  }
}
