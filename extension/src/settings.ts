// Reads the user's `splice.*` settings into what the server expects in initializationOptions.
import * as vscode from 'vscode';
import { DEFAULT_EXCLUDE_FILES, DEFAULT_FALLBACK_SAMPLES, DEFAULT_MIN_CONFIDENCE, type SpliceSettings } from '../../language-server/src/protocol.js';

export function readSettings(): SpliceSettings {
  const c = vscode.workspace.getConfiguration('splice');
  return {
    enable: c.get<boolean>('enable', true),
    modelPath: c.get<string>('modelPath', ''),
    device: c.get<SpliceSettings['device']>('device', 'auto'),
    modelVariant: c.get<SpliceSettings['modelVariant']>('modelVariant', 'auto'),
    decoderGraph: c.get<SpliceSettings['decoderGraph']>('decoderGraph', 'fused'),
    maxTokens: c.get<number>('maxTokens', 64),
    debounceMs: c.get<number>('debounceMs', 75),
    cacheMode: 'pie',
    fimFrame: c.get<SpliceSettings['fimFrame']>('fimFrame', 'edit'),
    sampling: c.get<SpliceSettings['sampling']>('sampling', 'byte'),
    minConfidence: c.get<number>('minConfidence', DEFAULT_MIN_CONFIDENCE),
    fallbackSamples: c.get<number>('fallbackSamples', DEFAULT_FALLBACK_SAMPLES),
    toolGuided: c.get<boolean>('toolGuided', true),
    enableLanguages: c.get<Record<string, boolean>>('enableLanguages', { '*': true }),
    excludeFiles: c.get<string[]>('excludeFiles', DEFAULT_EXCLUDE_FILES),
  };
}

/** Where the picker finds and puts hub models: the hub's address, the models folder, extra repositories, the editor's proxy. */
export interface HubSettings {
  endpoint: string;
  modelsFolder: string;
  /** Repositories offered beside the curated ones (`owner/name` or `owner/name:variant`). */
  extraModels: string[];
  proxy: string;
}

export function readHubSettings(): HubSettings {
  const c = vscode.workspace.getConfiguration('splice');
  return {
    endpoint: c.get<string>('hubEndpoint', ''),
    modelsFolder: c.get<string>('modelsFolder', ''),
    extraModels: c.get<string[]>('hubModels', []).filter((m) => typeof m === 'string' && m.trim()),
    proxy: vscode.workspace.getConfiguration('http').get<string>('proxy', ''),
  };
}
