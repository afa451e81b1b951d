// Reads the user's `splice.*` settings into what the server expects in initializationOptions.
import * as vscode from 'vscode';
import { DEFAULT_EXCLUDE_FILES, type SpliceSettings } from '../../language-server/src/protocol.js';

export function readSettings(): SpliceSettings {
  const c = vscode.workspace.getConfiguration('splice');
  return {
    enable: c.get<boolean>('enable', true),
    modelPath: c.get<string>('modelPath', ''),
    device: c.get<SpliceSettings['device']>('device', 'auto'),
    maxTokens: c.get<number>('maxTokens', 64),
    debounceMs: c.get<number>('debounceMs', 75),
    cacheMode: 'pie',
    fimFrame: c.get<SpliceSettings['fimFrame']>('fimFrame', 'edit'),
    sampling: c.get<SpliceSettings['sampling']>('sampling', 'byte'),
    toolGuided: c.get<boolean>('toolGuided', true),
    enableLanguages: c.get<Record<string, boolean>>('enableLanguages', { '*': true }),
    excludeFiles: c.get<string[]>('excludeFiles', DEFAULT_EXCLUDE_FILES),
  };
}
