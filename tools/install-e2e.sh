#!/usr/bin/env bash
# Installs what the end-to-end test (test/e2e/vscode.e2e.mjs, `npm run test:e2e`) needs: a real VS Code
# (code-server 4.100.3 = VS Code 1.100.3) and playwright-core into the gitignored `.e2e/` folder, and Debian's
# chromium, ripgrep and libkrb5-dev. Idempotent: a second run only checks. Needs `npm ci` (tools/install.sh) first.
# No browser or ripgrep download: code-server's and playwright's own download steps are skipped (--ignore-scripts)
# and Debian's binaries are used instead.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.65.1
E2E_DIR=.e2e
STAMP="$E2E_DIR/.installed-code-server-$CODE_SERVER_VERSION-playwright-core-$PLAYWRIGHT_CORE_VERSION"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }

# 1. Debian packages: chromium (the browser playwright drives), ripgrep (VS Code's search; code-server's own
#    download of it fails offline), libkrb5-dev (the `kerberos` native module code-server builds).
missing=()
for p in chromium ripgrep libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -e "$STAMP" ] && [ -f "$E2E_DIR/node_modules/code-server/out/node/entry.js" ]; then
  echo "e2e: code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_CORE_VERSION already installed in $E2E_DIR/"
  exit 0
fi

# 2. code-server and playwright-core in their own package folder (not the project's dependencies: code-server is
#    huge). --ignore-scripts: code-server's postinstall refuses root and downloads ripgrep.
mkdir -p "$E2E_DIR"
rm -f "$E2E_DIR"/.installed-*
cat >"$E2E_DIR/package.json" <<JSON
{
  "name": "splice-e2e-tools",
  "private": true,
  "description": "Written by tools/install-e2e.sh: a real VS Code (code-server) and playwright-core for test/e2e.",
  "dependencies": {
    "code-server": "$CODE_SERVER_VERSION",
    "playwright-core": "$PLAYWRIGHT_CORE_VERSION"
  }
}
JSON
npm_q=(--no-audit --no-fund --loglevel=error)
(cd "$E2E_DIR" && npm install "${npm_q[@]}" --ignore-scripts)

CS="$E2E_DIR/node_modules/code-server"
# 3. VS Code's own dependencies; Debian's ripgrep in place of the downloaded one; native modules built here.
(
  cd "$CS/lib/vscode"
  npm install "${npm_q[@]}" --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
  # node-pty's post step (compile_commands.json through npx node-gyp) fails offline after pty.node is built;
  # the native modules VS Code's server loads are checked below instead.
  npm rebuild "${npm_q[@]}" >rebuild.log 2>&1 || echo "e2e: 'npm rebuild' in lib/vscode reported an error (see $PWD/rebuild.log); checking the native modules" >&2
  ln -sfn node_modules node_modules.asar
  for m in node-pty/build/Release/pty.node kerberos/build/Release/kerberos.node @vscode/spdlog/build/Release/spdlog.node native-watchdog/build/Release/watchdog.node; do
    [ -f "node_modules/$m" ] || { echo "e2e: native module missing after rebuild: $m (see $PWD/rebuild.log)" >&2; exit 1; }
  done
)
# 4. The built-in extensions' dependencies.
(cd "$CS/lib/vscode/extensions" && npm install "${npm_q[@]}" --omit=dev --ignore-scripts)
# 5. argon2 (its prebuilt download fails; it compiles). npm hoists it beside code-server, so rebuild from .e2e/.
(cd "$E2E_DIR" && npm rebuild "${npm_q[@]}" argon2)

node "$CS/out/node/entry.js" --version
touch "$STAMP"
echo "e2e: installed code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_CORE_VERSION in $E2E_DIR/"
