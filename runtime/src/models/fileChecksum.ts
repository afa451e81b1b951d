// What a downloaded file is checked against: the hub's sha256 of LFS files, or the git blob sha1 of small files (their ETag).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

export interface Checksum {
  kind: 'sha256' | 'git-sha1';
  hex: string;
}

/** The checksum a file must match: the API's LFS sha256, else a 64-hex ETag (sha256) or a 40-hex ETag (git blob sha1). */
export function expectedChecksum(apiSha256: string | undefined, etag: string | undefined): Checksum | undefined {
  if (apiSha256 && /^[0-9a-f]{64}$/i.test(apiSha256)) return { kind: 'sha256', hex: apiSha256.toLowerCase() };
  if (etag && /^[0-9a-f]{64}$/i.test(etag)) return { kind: 'sha256', hex: etag.toLowerCase() };
  if (etag && /^[0-9a-f]{40}$/i.test(etag)) return { kind: 'git-sha1', hex: etag.toLowerCase() };
  return undefined;
}

/** The file's checksum of the given kind, read as a stream (git-sha1 hashes `blob <size>\0` then the bytes, as git does). */
export async function fileChecksum(file: string, kind: Checksum['kind'], signal?: AbortSignal): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-sha1') hash.update(`blob ${fs.statSync(file).size}\0`);
  for await (const chunk of fs.createReadStream(file, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
