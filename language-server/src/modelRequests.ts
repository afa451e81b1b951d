// The picker's requests: `splice/listModels` (local disk only), `splice/hubModelInfo` and `splice/pullModel` (the hub, on
// the user's explicit request; progress as `splice/pullProgress`, cancellable with $/cancelRequest).
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';
import { CATALOG, HubClient, catalogEntry, defaultModelDir, isAbort, listInstalled, modelsFolder, parseModelRef, planFiles, pullModel } from '../../runtime/src/index.js';
import { controllerFor } from './delay.js';
import {
  HUB_MODEL_INFO_REQUEST,
  LIST_MODELS_REQUEST,
  PULL_MODEL_REQUEST,
  PULL_PROGRESS_NOTIFICATION,
  type HubModelInfo,
  type HubModelInfoParams,
  type ListModelsParams,
  type ModelList,
  type PullModelParams,
  type PullModelResult,
} from './protocol.js';

export function registerModelRequests(connection: Connection): void {
  connection.onRequest(LIST_MODELS_REQUEST, (p: ListModelsParams | undefined) => listModels(p ?? {}));
  connection.onRequest(HUB_MODEL_INFO_REQUEST, (p: HubModelInfoParams, token: CancellationToken) => cancellable(hubModelInfo(p, token)));
  connection.onRequest(PULL_MODEL_REQUEST, (p: PullModelParams, token: CancellationToken) => cancellable(pull(connection, p, token)));
}

/** A cancelled request answers RequestCancelled (cancellation is not an error); other failures keep their message. */
async function cancellable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isAbort(err)) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    throw err;
  }
}

function listModels(p: ListModelsParams): ModelList {
  const dir = modelsFolder(p.modelsFolder);
  const bundled = defaultModelDir();
  return {
    modelsDir: dir,
    bundled: { name: 'splice-tiny', dir: bundled },
    installed: listInstalled(dir).map((m) => ({ id: m.id, dir: m.dir, bytes: m.bytes })),
    catalog: CATALOG.map((e) => ({ ...e })),
  };
}

async function hubModelInfo(p: HubModelInfoParams, token: CancellationToken): Promise<HubModelInfo> {
  const ref = parseModelRef(p.model);
  const variant = ref.variant ?? catalogEntry(ref.repo)?.variant ?? 'fp32';
  const client = new HubClient({ endpoint: p.endpoint, token: p.token, proxy: p.proxy });
  try {
    const files = planFiles(await client.snapshot(ref.repo, 'main', controllerFor(token).signal), variant);
    const sized = files.every((f) => f.size !== undefined);
    return { model: p.model, variant, files: files.map((f) => ({ path: f.path, ...(f.size !== undefined && { size: f.size }) })), ...(sized && { bytes: files.reduce((n, f) => n + f.size!, 0) }) };
  } finally {
    await client.close();
  }
}

async function pull(connection: Connection, p: PullModelParams, token: CancellationToken): Promise<PullModelResult> {
  const got = await pullModel({
    modelsDir: modelsFolder(p.modelsFolder),
    ref: parseModelRef(p.model),
    revision: p.revision,
    hub: { endpoint: p.endpoint, token: p.token, proxy: p.proxy },
    signal: controllerFor(token).signal,
    progressEveryMs: 250,
    onProgress: (progress) => void connection.sendNotification(PULL_PROGRESS_NOTIFICATION, { model: p.model, ...progress }),
  });
  return { dir: got.dir, id: `${got.manifest.repo}:${got.manifest.variant}`, bytes: got.manifest.files.reduce((n, f) => n + f.size, 0), downloaded: got.downloaded };
}
