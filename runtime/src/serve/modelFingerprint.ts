// A cheap fingerprint of a model folder's files (size and mtime), so a failed load is retried once the folder changes.
import * as fs from 'node:fs';
import * as path from 'node:path';

const FILES = ['.', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx', path.join('onnx', 'model.onnx')];

export function modelFingerprint(dir: string): string {
  return FILES.map((f) => {
    try {
      const st = fs.statSync(path.join(dir, f));
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '-';
    }
  }).join('|');
}
