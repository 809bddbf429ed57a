#!/usr/bin/env bash
# Installs what the test suites need beyond the JDK (run by .ci/run; safe to run again):
# PyTorch 1.13 and torchvision from Debian, for the torchvision golden models.
set -euo pipefail
packages=(python3-torch python3-torchvision python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-test-deps: missing ${missing[*]}; run as root (apt-get) or install them" >&2
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
