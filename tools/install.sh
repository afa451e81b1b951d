#!/usr/bin/env bash
# One-step install for development and CI: Debian packages the tests need, then the npm dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }

# WebGPU without a GPU: Mesa's lavapipe (software Vulkan) from bookworm-backports gives onnxruntime-node's WebGPU
# provider an adapter, so the WebGPU tests run everywhere. Skipped where a Vulkan driver is already installed.
if [ "${SPLICE_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null && ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  if [ "$codename" = bookworm ] && [ ! -e /etc/apt/sources.list.d/splice-backports.sources ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
    as_root tee /etc/apt/sources.list.d/splice-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  as_root apt-get update -qq
  target=()
  [ "$codename" = bookworm ] && target=(-t bookworm-backports)
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${target[@]}" mesa-vulkan-drivers libvulkan1
fi

# npm: install scripts are gated by package.json "allowScripts" (onnxruntime-node's CUDA download is denied;
# GPU users opt in, see README). `prepare` builds dist/.
npm ci --no-audit --no-fund
