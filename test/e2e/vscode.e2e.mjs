// End to end in a real VS Code: packages the extension, installs it into code-server (VS Code 1.100.3), opens a
// Python file in Debian's chromium driven by playwright-core, and checks that ghost text appears, that the status bar
// names the model and device, that Tab accepts the suggestion and that Escape leaves the document alone; then the
// completion pipeline: typing along a ghost without a model call, `len(|)`, the suggest widget, `.env`; and that
// tool-guided decoding completes members that exist (`os.pa|` in Python, `arr.fil|` in TypeScript).
// The bundled model is a random-weight fixture, so the suggestion is noise: this checks the plumbing, not quality.
// Then it picks a model from the list a local hub look-alike serves (runtime/src/testing/localHub.ts, started here;
// splice.hubEndpoint points at it), watches the download's progress notification and the status bar name the new
// model, and checks that a bad model folder raises a notification whose "Pick Model" action fixes it.
//
// Needs `bash tools/install-e2e.sh` (code-server and playwright-core in .e2e/, Debian chromium). Run with
// `npm run test:e2e`. Environment: SPLICE_E2E_SCREENSHOT=path.png (default: a file in the temp dir, printed),
// SPLICE_E2E_KEEP=1 keeps the temp folder (logs, user data) for a look afterwards; SPLICE_E2E_TRIGGER=palette
// asks for the suggestion with the command palette's "Trigger Inline Suggestion" instead of waiting for it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const E2E = path.join(ROOT, '.e2e');
const CODE_SERVER = path.join(E2E, 'node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.SPLICE_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const MODEL = 'splice-tiny';
const DEVICE = 'cpu';
const FILE_NAME = 'sample.py';
const ORIGINAL = ['def add(a, b):', '    total = a + b', '    return total', '', '', 'def main():', '    print(add(1, 2))', ''].join('\n');
const CURSOR_LINE = 2; // 1-based: "    total = a + b", inside add()'s body
const TYPED = ' + '; // the bundled model's text after it is noise (`e(x, 'x', 'b', 'b', …`), shown as `e`
const PAREN_FILE = 'paren.py';
// The cursor line (3) is typed as `    n = len(`; the bundled model's text there is `e._name = 0`, shown as `e._name`.
const PAREN_ORIGINAL = ['def main():', '    items = [1, 2, 3]', '', ''].join('\n');
const PAREN_LINE = 3;
// A word the suggest widget offers (`total`, from the document), typed as `to` on a new line after line 3.
const SUGGEST_FILE = 'suggest.py';
const SUGGEST_ORIGINAL = ['def main():', '    values = [1, 2, 3]', '    total = 0', '', ''].join('\n');
const SUGGEST_LINE = 3;

// Tool-guided decoding: the members that exist after `os.pa` (pyright's typeshed `os`) and `arr.fil` (Array).
const OS_PA = ['path', 'pardir', 'pathsep', 'pathconf', 'pathconf_names'];
const ARR_FIL = ['fill', 'filter'];

const missing = [CODE_SERVER, path.join(E2E, 'node_modules/playwright-core/package.json'), CHROMIUM].filter((p) => !fs.existsSync(p));
if (missing.length) throw new Error(`e2e prerequisites missing (${missing.join(', ')}): run \`bash tools/install-e2e.sh\``);
const { chromium } = createRequire(path.join(E2E, 'package.json'))('playwright-core');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-e2e-'));
const dirs = Object.fromEntries(['vsix', 'extensions', 'user-data', 'workspace', 'xdg-config', 'xdg-data', 'models'].map((d) => [d, path.join(tmp, d)]));
const HUB_REPO = 'splice-test/tiny-llama';
const PULLED_MODEL = 'tiny-llama-fp32'; // <models>/<owner>/<name>-<variant>: the folder name the status bar shows
const settingsPath = path.join(dirs['user-data'], 'User/settings.json');
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
const filePath = path.join(dirs.workspace, FILE_NAME);
const serverLog = path.join(tmp, 'code-server.log');
const screenshotPath = process.env.SPLICE_E2E_SCREENSHOT ? path.resolve(process.env.SPLICE_E2E_SCREENSHOT) : path.join(tmp, 'splice-e2e.png');
const env = { ...process.env, XDG_CONFIG_HOME: dirs['xdg-config'], XDG_DATA_HOME: dirs['xdg-data'] };

/** Runs a command to completion with a time limit; throws with its output if it fails. */
function run(cmd, args, { timeoutMs, cwd = ROOT }) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}, signal ${r.signal}`}):\n${r.stdout}\n${r.stderr}`.slice(-6000));
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs, everyMs = 250) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const tail = (file, n = 4000) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-n) : '(none)');

let server; // the code-server process (leader of its own process group)
let hub; // the local hub look-alike (in this process: nothing here may block the event loop while it serves)
let browser;
let page;

/** Kills the process group we started (code-server, its extension host and the Splice server under it). */
async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  const kill = (sig) => { try { process.kill(-server.pid, sig); } catch { /* already gone */ } };
  kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), delay(5000).then(() => false)])) {
    await delay(300); // children of the group get the same SIGTERM; give them a moment, then make sure
  }
  kill('SIGKILL');
}

// The ghost text the editor renders now: `inline` is its part on the cursor's line, `below` the lines under it.
// The DOM shows control characters as their Unicode pictures (U+2400…) and spaces as U+00A0; both are mapped back.
const ghostParts = () =>
  page.evaluate(() => {
    const clean = (t) =>
      t
        .replace(/\u00a0/g, ' ')
        .replace(/[\u2400-\u241f]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x2400))
        .replace(/\u2421/g, '\x7f');
    // The part on the line may be split into several spans (one per token or special character); with the suggest
    // widget open, the selected item's rest is `ghost-text-decoration` and the inline item's text after it
    // `ghost-text-decoration-preview`.
    const inline = [...document.querySelectorAll('.monaco-editor .view-lines .ghost-text-decoration, .monaco-editor .view-lines .ghost-text-decoration-preview')].map((e) => e.textContent ?? '').join('');
    const below = [...document.querySelectorAll('.monaco-editor .ghost-text')]
      .flatMap((zone) => {
        const lines = [...zone.querySelectorAll('.view-line')];
        return lines.length ? lines.map((l) => l.textContent ?? '') : [zone.textContent ?? ''];
      })
      .join('\n');
    return { inline: clean(inline), below: clean(below) };
  });
const ghostText = async () => {
  const { inline, below } = await ghostParts();
  return inline + (below ? `\n${below}` : '');
};

const statusText = () =>
  page.evaluate(() => [...document.querySelectorAll('.statusbar-item')].map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()).find((t) => t.includes('Splice')) ?? '');

async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Waits for non-blank ghost text; if none comes by itself, asks for it with the trigger command. */
async function waitForGhostText(timeoutMs = 45_000) {
  const visible = async () => ((await ghostText()).trim() ? ghostText() : undefined);
  try {
    if (process.env.SPLICE_E2E_TRIGGER === 'palette') throw new Error('asked to use the command palette');
    return await waitFor('ghost text after typing', visible, 15_000);
  } catch {
    await runCommand('Trigger Inline Suggestion');
    return waitFor('ghost text after "Trigger Inline Suggestion"', visible, timeoutMs);
  }
}

/**
 * The server's counters, read through the "Splice: Show Metrics" command's notification (`splice/metrics`):
 * `{completions, reused}` — model completions run, and requests answered from the typed-through cache.
 */
async function readMetrics() {
  await runCommand('Splice: Show Metrics');
  const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Splice metrics:' }).last();
  const text = await waitFor('the metrics notification', async () => ((await toast.count()) ? toast.textContent() : undefined), 15_000);
  await runCommand('Notifications: Clear All Notifications');
  await waitFor('the notification to go', async () => (await page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Splice metrics:' }).count()) === 0, 10_000);
  const num = (label) => Number(new RegExp(`${label} (\\d+)`).exec(text)?.[1]);
  const m = { completions: num('model completions'), reused: num('from the typed-through cache'), text };
  assert.ok(Number.isInteger(m.completions) && Number.isInteger(m.reused), `metrics read: ${text}`);
  return m;
}

/** Opens a file written into the workspace during the test by clicking it in the Explorer (Quick Open's file index may not have it yet). */
async function openFile(name) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.dblclick();
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
}

/** Moves the cursor to the end of a 1-based line. */
async function gotoLineEnd(line) {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
}

/** Saves the editor and returns the file's text once the save reached the disk. */
async function saveAndRead(previous, file = filePath) {
  await page.keyboard.press('Control+S');
  await waitFor('the tab to be saved', async () => (await page.locator('.tab.active.dirty').count()) === 0, 10_000);
  return waitFor('the saved file', async () => {
    const text = fs.readFileSync(file, 'utf8');
    return text !== previous ? text : undefined;
  }, 10_000);
}

describe('Splice in VS Code (code-server 4.100.3, chromium)', { timeout: 420_000 }, () => {
  before(async () => {
    const t0 = Date.now();
    const vsix = path.join(dirs.vsix, 'splice.vsix');
    run(process.execPath, ['esbuild.mjs'], { timeoutMs: 60_000 });
    run('npx', ['--no-install', 'vsce', 'package', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', vsix], { timeoutMs: 120_000 });
    run(process.execPath, [CODE_SERVER, '--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions, '--install-extension', vsix], { timeoutMs: 60_000 });
    console.log(`# packaged and installed ${path.basename(vsix)} in ${Date.now() - t0} ms`);

    // The local hub: the test's own TypeScript, bundled for this .mjs with esbuild (a dev dependency).
    const esbuild = await import('esbuild');
    const hubBundle = path.join(tmp, 'localHub.cjs');
    esbuild.buildSync({ entryPoints: [path.join(ROOT, 'runtime/src/testing/localHub.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: hubBundle, logLevel: 'warning' });
    const { LocalHub } = createRequire(import.meta.url)(hubBundle);
    hub = await new LocalHub().add(HUB_REPO, path.join(ROOT, 'runtime/models/fixtures/tiny-llama')).start();
    hub.faults = { bytesPerSecond: 150_000 }; // ~4 s for the 634 KB model: long enough to see the progress notification

    fs.writeFileSync(filePath, ORIGINAL);
    fs.mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
    fs.writeFileSync(
      settingsPath,
      JSON.stringify(
        {
          'security.workspace.trust.enabled': false,
          'splice.hubEndpoint': hub.endpoint,
          'splice.hubModels': [HUB_REPO],
          'splice.modelsFolder': dirs.models,
          'splice.device': DEVICE,
          'splice.debounceMs': 0,
          // The tests here need the tiny model's ghosts where it is unsure too (the gate has its own test over LSP).
          'splice.minConfidence': 0,
          'editor.inlineSuggest.enabled': true,
          // Keep other UI out of the way of the ghost text and the keys.
          'editor.quickSuggestions': { other: false, comments: false, strings: false },
          'editor.suggestOnTriggerCharacters': false,
          'editor.acceptSuggestionOnEnter': 'off',
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'telemetry.telemetryLevel': 'off',
          'files.autoSave': 'off',
          'chat.commandCenter.enabled': false,
        },
        null,
        2,
      ),
    );

    const port = await freePort();
    const out = fs.openSync(serverLog, 'a');
    server = spawn(
      process.execPath,
      [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
        '--config', path.join(tmp, 'config.yaml'), '--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions, dirs.workspace],
      { cwd: tmp, env, detached: true, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    // Whatever happens to this process, the server's process group does not outlive it.
    process.once('exit', () => { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ } });
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`;
    await waitFor('code-server to answer', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 500);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
    await page.goto(url, { timeout: 60_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    console.log(`# code-server up and workbench loaded ${Date.now() - t0} ms after start`);
  }, { timeout: 200_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer();
    await hub?.stop();
    if (process.env.SPLICE_E2E_KEEP === '1') console.log(`# kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }, { timeout: 30_000 });

  /** On failure: the page as it was and the server's log, so the failure explains itself. */
  async function explain(err) {
    const shot = screenshotPath.replace(/\.png$/, '') + '-failure.png';
    await page?.screenshot({ path: shot }).catch(() => {});
    throw new Error(`${err.message}\nscreenshot: ${shot}\nstatus bar: ${await statusText().catch(() => '?')}\ncode-server log (tail):\n${tail(serverLog)}`, { cause: err });
  }

  it('shows the model and device in the status bar', async () => {
    try {
      const text = await waitFor(`status bar "Splice ${MODEL} · ${DEVICE}"`, async () => {
        const t = await statusText();
        return t.includes(`Splice ${MODEL} · ${DEVICE}`) ? t : undefined;
      }, 90_000, 500);
      console.log(`# status bar: ${text}`);
    } catch (err) {
      await explain(err);
    }
  });

  it('shows ghost text while typing in a function body; Escape leaves the document unchanged', async () => {
    try {
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
      await page.keyboard.type(FILE_NAME);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: FILE_NAME }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: FILE_NAME }).waitFor();
      await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
      await page.keyboard.type(String(CURSOR_LINE));
      await page.keyboard.press('Enter');
      await page.keyboard.press('End');
      await page.keyboard.type(TYPED, { delay: 80 });

      const ghost = await waitForGhostText();
      console.log(`# ghost text: ${JSON.stringify(ghost)}`);
      await page.screenshot({ path: screenshotPath });
      console.log(`# screenshot: ${screenshotPath}`);
      assert.match(await statusText(), new RegExp(`Splice ${MODEL} · ${DEVICE}`));

      await page.keyboard.press('Escape');
      await waitFor('ghost text to go after Escape', async () => !(await ghostText()).trim(), 10_000);
      const saved = await saveAndRead(ORIGINAL);
      const lines = ORIGINAL.split('\n');
      lines[CURSOR_LINE - 1] += TYPED;
      assert.equal(saved, lines.join('\n'), 'after Escape the document holds only what was typed');
    } catch (err) {
      await explain(err);
    }
  });

  it('accepts the suggestion with Tab', async () => {
    try {
      const before = fs.readFileSync(filePath, 'utf8');
      await page.keyboard.type(' ', { delay: 80 });
      await waitForGhostText();
      const { inline, below } = await ghostParts();
      console.log(`# ghost text: ${JSON.stringify({ inline, below })}`);
      await page.keyboard.press('Tab');
      // No wait for the ghost text to go: the server answers the request that follows the accept in ~0.1 s, so a new
      // suggestion may already stand there. The saved file shows what Tab did.
      const saved = await saveAndRead(before);
      const typedLine = before.split('\n')[CURSOR_LINE - 1] + ' ';
      const acceptedLine = saved.split('\n')[CURSOR_LINE - 1];
      console.log(`# line after Tab: ${JSON.stringify(acceptedLine)}`);
      assert.ok(saved.length > before.length + 1, `Tab inserted the suggestion (before ${before.length} chars, after ${saved.length})`);
      assert.equal(acceptedLine, typedLine + inline, 'the accepted line is the typed line followed by the ghost text shown on it');
      assert.ok(saved.startsWith(before.split('\n').slice(0, CURSOR_LINE - 1).join('\n')), 'the lines above are untouched');
      assert.ok(saved.endsWith(before.split('\n').slice(CURSOR_LINE).join('\n')), 'the lines below are untouched');
    } catch (err) {
      await explain(err);
    }
  });

  it("typing the ghost text's first character keeps its rest (no new suggestion replaces it)", async () => {
    try {
      fs.writeFileSync(path.join(dirs.workspace, PAREN_FILE), PAREN_ORIGINAL);
      await openFile(PAREN_FILE);
      await gotoLineEnd(PAREN_LINE);
      await page.keyboard.type('    n = len(', { delay: 80 }); // the editor auto-closes the paren: `len(|)`
      await waitForGhostText();
      const { inline, below } = await ghostParts();
      console.log(`# ghost text at len(|): ${JSON.stringify({ inline, below })}`);
      const shot = screenshotPath.replace(/\.png$/, '') + '-len-paren.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      assert.equal(below, '', 'one line at len(|): nothing pushed below the closing paren');
      assert.ok(inline.length >= 2, `a ghost of two characters or more: ${JSON.stringify(inline)}`);
      await delay(1000); // requests still under way from the typing settle before the counters are read
      const before = await readMetrics();
      console.log(`# ${before.text}`);
      await page.keyboard.type(inline[0]);
      const rest = inline.slice(1);
      await waitFor('the ghost to show the rest', async () => (await ghostParts()).inline === rest, 3000, 50);
      await delay(1500); // before the cache, a new suggestion replaced it 250–430 ms later
      const after = await ghostParts();
      console.log(`# ghost 1.5 s after typing ${JSON.stringify(inline[0])}: ${JSON.stringify(after)}`);
      const shot2 = screenshotPath.replace(/\.png$/, '') + '-typed-through.png';
      await page.screenshot({ path: shot2 });
      console.log(`# screenshot: ${shot2}`);
      assert.equal(after.inline, rest, 'the rest of the suggestion stays');
      const later = await readMetrics();
      console.log(`# ${later.text}`);
      assert.equal(later.completions, before.completions, 'typing along the ghost ran no model completion');
      assert.ok(later.reused > before.reused, 'the rest came from the typed-through cache');
    } catch (err) {
      await explain(err);
    }
  });

  it('at len(|) with the auto-closed paren, accepting gives no doubled paren', async () => {
    try {
      const file = path.join(dirs.workspace, PAREN_FILE);
      // The metrics command took the focus for a moment: the ghost comes back (from the cache) if it went.
      const inline = (await waitForGhostText()).split('\n')[0];
      assert.ok(inline.trim() !== '', 'the ghost text is there');
      await page.keyboard.press('Tab');
      const saved = await saveAndRead(PAREN_ORIGINAL, file);
      const line = saved.split('\n')[PAREN_LINE - 1];
      console.log(`# line after Tab: ${JSON.stringify(line)}`);
      assert.match(line, /^ {4}n = len\(.+\)$/, 'the accepted text sits inside the one paren');
      assert.equal([...line].filter((c) => c === '(').length, [...line].filter((c) => c === ')').length, `balanced parens: ${line}`);
      assert.ok(!line.endsWith('))'), `no doubled paren: ${line}`);
      assert.equal(saved.split('\n').length, PAREN_ORIGINAL.split('\n').length, 'no line added');
    } catch (err) {
      await explain(err);
    }
  });

  /**
   * Opens `name` holding `lines` (the last one empty), waits for the language service to start (the server warms it on
   * didOpen; a call over its budget means free decoding), types `typed` on the last line and returns the member name the
   * ghost text completes: the typed part after the dot plus the ghost's leading name characters.
   */
  async function memberGhost(name, lines, typed, shotName) {
    fs.writeFileSync(path.join(dirs.workspace, name), lines.join('\n'));
    await openFile(name);
    await delay(8000);
    await gotoLineEnd(lines.length);
    await page.keyboard.type(typed, { delay: 80 });
    await waitForGhostText();
    const { inline } = await ghostParts();
    const shot = screenshotPath.replace(/\.png$/, '') + `-${shotName}.png`;
    await page.screenshot({ path: shot });
    console.log(`# ghost text after ${JSON.stringify(typed)}: ${JSON.stringify(inline)}; screenshot: ${shot}`);
    return /[\w$]*$/.exec(typed)[0] + /^[\w$]*/.exec(inline)[0];
  }

  it('tool-guided: after `os.pa` in Python the ghost text completes a member of os (pyright)', async () => {
    try {
      const member = await memberGhost('tool_os.py', ['import os', '', ''], 'root = os.pa', 'os-pa');
      assert.ok(OS_PA.includes(member), `${member} is not one of ${OS_PA.join(', ')}`);
      await page.keyboard.press('Escape');
    } catch (err) {
      await explain(err);
    }
  });

  it('tool-guided: after `arr.fil` in TypeScript the ghost text completes an Array member (TypeScript service)', async () => {
    try {
      const member = await memberGhost('tool_arr.ts', ['const arr = [1, 2, 3];', ''], 'const evens = arr.fil', 'arr-fil');
      assert.ok(ARR_FIL.includes(member), `${member} is not one of ${ARR_FIL.join(', ')}`);
      await page.keyboard.press('Escape');
    } catch (err) {
      await explain(err);
    }
  });

  it('no ghost text in a .env file', async () => {
    try {
      const file = path.join(dirs.workspace, '.env');
      fs.writeFileSync(file, 'API_KEY=sk-live-123\nDB_HOST=localhost\n');
      await openFile('.env');
      await gotoLineEnd(2);
      await page.keyboard.press('Enter');
      await page.keyboard.type('DB_PASSWORD=', { delay: 80 });
      await runCommand('Trigger Inline Suggestion');
      await delay(4000);
      const shot = screenshotPath.replace(/\.png$/, '') + '-dotenv.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      assert.equal((await ghostText()).trim(), '', 'no suggestion in .env');
    } catch (err) {
      await explain(err);
    }
  });

  it('a ghost appears while the word-suggest widget is open, extending the selected item', async () => {
    try {
      fs.writeFileSync(path.join(dirs.workspace, SUGGEST_FILE), SUGGEST_ORIGINAL);
      await openFile(SUGGEST_FILE);
      await gotoLineEnd(SUGGEST_LINE);
      await page.keyboard.press('Enter'); // auto-indented: `    |`
      await page.keyboard.type('to', { delay: 80 });
      await page.keyboard.press('Control+Space'); // the suggest widget (word-based: `total`), quick suggestions being off
      const widget = page.locator('.editor-widget.suggest-widget.visible');
      await widget.waitFor({ timeout: 15_000 });
      const selected = ((await widget.locator('.monaco-list-row.focused').first().textContent({ timeout: 10_000 })) ?? '').trim();
      console.log(`# suggest widget selection: ${JSON.stringify(selected)}`);
      // The selected item's rest (`tal`, its preview) and the model's text after it: the item extends the selection.
      // The editor may draw the preview and the model's text as separate decorations; the model's part is what counts.
      const rest = selected.startsWith('to') ? selected.slice(2) : '';
      const beyond = (g) => (g.startsWith(rest) ? g.slice(rest.length) : g);
      const ghost = await waitFor('ghost text beyond the selected item with the suggest widget open', async () => {
        const g = await ghostText();
        return beyond(g).trim() && (await widget.count()) > 0 ? g : undefined;
      }, 30_000);
      console.log(`# ghost text with the suggest widget open: ${JSON.stringify(ghost)}`);
      const shot = screenshotPath.replace(/\.png$/, '') + '-suggest-widget.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      assert.ok(selected.startsWith('total'), `the selected item is the document's word: ${selected}`);
      assert.ok(beyond(ghost).trim() !== '', `the ghost extends the selected item: ${JSON.stringify(ghost)}`);
      assert.ok(await widget.isVisible(), 'the suggest widget is still open under the ghost');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
    } catch (err) {
      await explain(err);
    }
  });

  it('a language server killed again and again shows "Splice down"; the restart command brings it back', async () => {
    try {
      const serverPids = () => spawnSync('pgrep', ['-f', `${dirs.extensions}.*dist/server\\.js`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
      const seen = new Set();
      // Kill every server the client starts until it gives up (4 restarts in 3 minutes; none comes for 20 s).
      for (let kill = 1; kill <= 8; kill++) {
        const pid = await waitFor(`a running Splice server (kill ${kill})`, async () => serverPids().find((p) => !seen.has(p)), 20_000, 200).catch(() => undefined);
        if (pid === undefined) break;
        seen.add(pid);
        process.kill(pid, 'SIGKILL');
      }
      const down = await waitFor('status bar "Splice down"', async () => ((await statusText()).includes('Splice down') ? statusText() : undefined), 30_000, 250);
      console.log(`# status bar after ${seen.size} kills: ${down}`);
      const shot = screenshotPath.replace(/\.png$/, '') + '-server-down.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      assert.equal(seen.size, 5, `the first server and 4 automatic restarts were killed (${seen.size} servers seen)`);
      await runCommand('Splice: Restart Language Server');
      const back = await waitFor(`status bar "Splice ${MODEL} · ${DEVICE}" after the restart`, async () => {
        const t = await statusText();
        return t.includes(`Splice ${MODEL} · ${DEVICE}`) ? t : undefined;
      }, 90_000, 500);
      console.log(`# status bar after the restart: ${back}`);
    } catch (err) {
      await explain(err);
    }
  });

  /** The text of the notification toasts on screen. */
  const toasts = () => page.evaluate(() => [...document.querySelectorAll('.notifications-toasts .notification-toast')].map((e) => (e.innerText ?? '').replace(/\s+/g, ' ').trim()));

  async function pickRow(text) {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
  }

  it('picks a model from the local hub: a progress notification, then the status bar names it and it completes', async () => {
    try {
      await runCommand('Splice: Pick Model');
      await pickRow('Download a model from the hub');
      // The hub list asks the hub for each model's size: the served model's appears.
      const size = `${Math.round(hub.files(HUB_REPO).reduce((n, f) => n + f.size, 0) / 1000)} KB`;
      await page.locator('.quick-input-list .monaco-list-row', { hasText: size }).first().waitFor({ timeout: 20_000 });
      const listShot = screenshotPath.replace(/\.png$/, '') + '-hub-list.png';
      await page.screenshot({ path: listShot });
      console.log(`# screenshot: ${listShot}`);
      await pickRow(HUB_REPO);
      // The notification's message shows the file, bytes of the total, speed and time left once progress arrives.
      const toast = await waitFor('the download notification with progress', async () => (await toasts()).find((t) => t.includes(`downloading ${HUB_REPO}`) && /onnx\/model\.onnx \(4\/4\) · [\d.]+ KB of \d+ KB · [\d.]+ KB\/s/.test(t)), 20_000, 100);
      console.log(`# progress notification: ${toast}`);
      const shot = screenshotPath.replace(/\.png$/, '') + '-download.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      const status = await waitFor(`status bar "Splice ${PULLED_MODEL} · ${DEVICE}"`, async () => {
        const t = await statusText();
        return t.includes(`Splice ${PULLED_MODEL} · ${DEVICE}`) ? t : undefined;
      }, 90_000, 500);
      console.log(`# status bar: ${status}`);
      const settings = JSON.parse(fs.readFileSync(settingsPath, 'utf8'));
      assert.equal(settings['splice.modelPath'], path.join(dirs.models, 'splice-test', PULLED_MODEL), 'splice.modelPath points at the pulled folder');
      assert.ok(fs.existsSync(path.join(dirs.models, 'splice-test', PULLED_MODEL, 'splice-model.json')), 'the model landed with its manifest');
      assert.ok(hub.requests.some((r) => r.origin === 'cdn'), 'the model came through the hub (redirect to its CDN)');

      await openFile(FILE_NAME);
      await gotoLineEnd(CURSOR_LINE);
      await page.keyboard.type(' * 2', { delay: 80 });
      const ghost = await waitForGhostText();
      console.log(`# ghost text from ${PULLED_MODEL}: ${JSON.stringify(ghost)}`);
      const shot2 = screenshotPath.replace(/\.png$/, '') + '-pulled-model.png';
      await page.screenshot({ path: shot2 });
      console.log(`# screenshot: ${shot2}`);
      assert.match(await statusText(), new RegExp(`Splice ${PULLED_MODEL} · ${DEVICE}`));
      await page.keyboard.press('Tab');

      // The stats view counts the accept (the item's command) among the completions shown.
      await runCommand('Splice: Show Stats');
      const statsText = async () => {
        for (const frame of page.frames()) {
          const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
          if (text.includes('Splice stats')) return text;
        }
        return undefined;
      };
      const stats = await waitFor('the stats view with an accepted completion', async () => {
        const t = await statsText();
        return t && /([1-9]\d*) of ([1-9]\d*) completions shown/.test(t) ? t : undefined;
      }, 20_000, 500);
      console.log(`# stats view: ${stats.replace(/\s+/g, ' ').slice(0, 400)}`);
      const statsShot = screenshotPath.replace(/\.png$/, '') + '-stats.png';
      await page.screenshot({ path: statsShot });
      console.log(`# screenshot: ${statsShot}`);
      assert.match(stats, /Latency \(request → completion shown\)/);
    } catch (err) {
      await explain(err);
    }
  });

  it('a bad model folder raises a notification whose "Pick Model" action fixes it', async () => {
    try {
      const bad = path.join(tmp, 'bad-model');
      fs.mkdirSync(path.join(bad, 'onnx'), { recursive: true });
      fs.writeFileSync(path.join(bad, 'config.json'), '{ not json');
      // A workspace setting (the file appears in the workspace, which VS Code watches); the picker must change it there.
      const workspaceSettings = path.join(dirs.workspace, '.vscode', 'settings.json');
      fs.mkdirSync(path.dirname(workspaceSettings), { recursive: true });
      fs.writeFileSync(workspaceSettings, JSON.stringify({ 'splice.modelPath': bad }, null, 2));
      const toast = await waitFor('an error notification naming config.json', async () => (await toasts()).find((t) => t.includes('Splice') && t.includes('config.json')), 60_000, 250);
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'config.json' }).first().hover(); // shows its buttons
      await delay(500);
      console.log(`# error notification: ${toast}`);
      const shot = screenshotPath.replace(/\.png$/, '') + '-bad-model.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      for (const action of ['Pick Model', 'Open Settings', 'Show Log', 'Restart']) assert.ok(toast.includes(action), `the notification offers "${action}": ${toast}`);
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'config.json' }).locator('a.monaco-button, .monaco-button', { hasText: 'Pick Model' }).first().click();
      await pickRow(MODEL);
      const back = await waitFor(`status bar "Splice ${MODEL} · ${DEVICE}"`, async () => {
        const t = await statusText();
        return t.includes(`Splice ${MODEL} · ${DEVICE}`) ? t : undefined;
      }, 90_000, 500);
      console.log(`# status bar after picking ${MODEL}: ${back}`);
      assert.equal(JSON.parse(fs.readFileSync(workspaceSettings, 'utf8'))['splice.modelPath'], '', 'the picker changed the workspace setting that named the bad folder');
    } catch (err) {
      await explain(err);
    }
  });

  it('the status bar item opens the Splice menu (enable, snooze, this language, model, stats)', async () => {
    try {
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click(); // the Python editor has the focus
      await page.locator('.statusbar-item', { hasText: 'Splice' }).first().click();
      const rows = await waitFor('the Splice menu', async () => {
        const texts = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
        return texts.some((t) => t.includes('Snooze')) ? texts.map((t) => t.replace(/\s+/g, ' ').trim()) : undefined;
      }, 10_000, 200);
      console.log(`# menu: ${rows.join(' | ')}`);
      const shot = screenshotPath.replace(/\.png$/, '') + '-status-menu.png';
      await page.screenshot({ path: shot });
      console.log(`# screenshot: ${shot}`);
      for (const want of ['Disable completions', 'Snooze completions', 'Disable for python', 'Pick model', 'Show stats']) assert.ok(rows.some((r) => r.includes(want)), `the menu offers "${want}"`);
      await page.keyboard.press('Escape');
    } catch (err) {
      await explain(err);
    }
  });
});
