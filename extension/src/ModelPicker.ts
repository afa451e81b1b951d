// "Splice: Pick Model": the bundled model, an installed one, a local folder, or a hub model downloaded with a cancellable
// progress notification (the download runs in the language server), then `splice.modelPath` is set to it.
import * as vscode from 'vscode';
import {
  HUB_MODEL_INFO_REQUEST,
  LIST_MODELS_REQUEST,
  PULL_MODEL_REQUEST,
  type HubModelInfo,
  type ModelList,
  type PullModelResult,
} from '../../language-server/src/protocol.js';
import { hubEntries, modelEntries, type PickAction, type PickerEntry } from './pickerItems.js';
import { pullPercent, pullProgressMessage } from './pullProgressMessage.js';
import type { ServerSupervisor } from './ServerSupervisor.js';
import { readHubSettings } from './settings.js';

/** Where the hub token lives (VS Code's secret storage, not settings.json). */
export const HUB_TOKEN_SECRET = 'splice.hubToken';

type Item = vscode.QuickPickItem & { action?: PickAction };

export class ModelPicker {
  constructor(
    private readonly server: ServerSupervisor,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async pick(): Promise<void> {
    const hub = readHubSettings();
    const list = await this.server.request<ModelList>(LIST_MODELS_REQUEST, { modelsFolder: hub.modelsFolder });
    const current = vscode.workspace.getConfiguration('splice').get<string>('modelPath', '');
    const choice = await vscode.window.showQuickPick(toItems(modelEntries(list, current)), { title: 'Splice: Pick Model', placeHolder: 'The model for inline completions', matchOnDescription: true });
    const action = choice?.action;
    if (action?.kind === 'path') return setModelPath(action.modelPath);
    if (action?.kind === 'folder') return this.pickFolder();
    if (action?.kind === 'hub') return this.pickHub(list);
  }

  private async pickFolder(): Promise<void> {
    const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this model folder', title: 'Splice: a model folder (config.json, tokenizer.json, onnx/model*.onnx)' });
    if (uris?.[0]) await setModelPath(uris[0].fsPath);
  }

  /** The hub's models; their sizes are asked of the hub now that the user opened this list. */
  private async pickHub(list: ModelList): Promise<void> {
    const hub = readHubSettings();
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = `Splice: download a model from ${hub.endpoint || process.env.HF_ENDPOINT || 'https://huggingface.co'}`;
    qp.placeholder = 'A model to download (size · parameters · licence · variant)';
    qp.matchOnDescription = true;
    const sizes = new Map<string, number | string>();
    const refresh = () => (qp.items = toItems(hubEntries(list, hub.extraModels, sizes)));
    refresh();
    const cts = new vscode.CancellationTokenSource();
    qp.busy = true;
    const token = await this.token();
    const models = [...hub.extraModels, ...list.catalog.map((e) => `${e.repo}:${e.variant}`)];
    void Promise.all(models.map(async (model) => {
      try {
        const info = await this.server.request<HubModelInfo>(HUB_MODEL_INFO_REQUEST, { model, endpoint: hub.endpoint, token, proxy: hub.proxy }, cts.token);
        sizes.set(model, info.bytes ?? 'size unknown');
      } catch (err) {
        const why = (err as Error).message.replace(/^Request \S+ failed with message: /, '');
        this.log.warn(`splice: ${model} on the hub: ${why}`);
        sizes.set(model, / not found at /.test(why) ? 'not on this hub' : / answered 40[13] /.test(why) ? 'needs a token (Set Hugging Face Token)' : 'size unknown (see the log)');
      }
      if (!cts.token.isCancellationRequested) refresh();
    })).finally(() => (qp.busy = false));
    const picked = await new Promise<PickAction | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]?.action));
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    cts.cancel();
    qp.dispose();
    if (picked?.kind === 'pull') await this.download(picked.model);
    if (picked?.kind === 'other') {
      const model = await vscode.window.showInputBox({ title: 'Splice: a hub model', prompt: 'owner/name or owner/name:variant (fp32, fp16, q4, q4f16, int8, uint8, quantized)', validateInput: (v) => (/^[\w.-]+\/[\w.-]+(:\w+)?$/.test(v.trim()) ? undefined : 'owner/name or owner/name:variant') });
      if (model) await this.download(model.trim());
    }
  }

  /** Downloads `model` in the language server with a cancellable progress notification, then uses it. */
  async download(model: string): Promise<void> {
    if (this.pulling.has(model)) return void vscode.window.showInformationMessage(`Splice: ${model} is already downloading.`);
    this.pulling.add(model);
    try {
      await this.pull(model);
    } finally {
      this.pulling.delete(model);
    }
  }

  /** Models downloading now (one pull per model at a time: they would share a partial folder). */
  private readonly pulling = new Set<string>();

  private async pull(model: string): Promise<void> {
    const hub = readHubSettings();
    const token = await this.token();
    try {
      const got = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Splice: downloading ${model}`, cancellable: true }, async (progress, cancel) => {
        let done = 0;
        const sub = this.server.onPullProgress((p) => {
          if (p.model !== model) return;
          const pct = pullPercent(p);
          progress.report({ message: pullProgressMessage(p), increment: Math.max(0, pct - done) });
          done = Math.max(done, pct);
        });
        try {
          return await this.server.request<PullModelResult>(PULL_MODEL_REQUEST, { model, endpoint: hub.endpoint, token, proxy: hub.proxy, modelsFolder: hub.modelsFolder }, cancel);
        } finally {
          sub.dispose();
        }
      });
      this.log.info(`splice: ${got.downloaded ? 'downloaded' : 'already had'} ${got.id} in ${got.dir}`);
      await setModelPath(got.dir);
      void vscode.window.showInformationMessage(`Splice: completions now come from ${got.id}.`);
    } catch (err) {
      if ((err as { code?: number }).code === -32800) return void vscode.window.showInformationMessage(`Splice: the download of ${model} was cancelled; nothing was installed.`);
      this.log.error(`splice: download of ${model} failed: ${(err as Error).message}`);
      const action = await vscode.window.showErrorMessage(`Splice: the download of ${model} failed: ${(err as Error).message}`, 'Retry', 'Set Hub Token', 'Show Log');
      if (action === 'Retry') return void setTimeout(() => void this.download(model)); // after this pull has let go of the model
      if (action === 'Set Hub Token') return void vscode.commands.executeCommand('splice.setHubToken');
      if (action === 'Show Log') this.log.show();
    }
  }

  private async token(): Promise<string | undefined> {
    return (await this.secrets.get(HUB_TOKEN_SECRET)) || undefined;
  }
}

/** Sets `splice.modelPath` where it is defined now (a workspace value would otherwise hide a user-level change). */
async function setModelPath(modelPath: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('splice');
  const target = c.inspect<string>('modelPath')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update('modelPath', modelPath, target);
}

/** Entries as quick-pick items, with a separator before each group. */
function toItems(entries: PickerEntry[]): Item[] {
  return entries.flatMap((e) => [
    ...(e.group ? [{ label: e.group, kind: vscode.QuickPickItemKind.Separator } as Item] : []),
    { label: e.label, description: e.description, detail: e.detail, action: e.action },
  ]);
}
