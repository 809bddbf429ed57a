#!/usr/bin/env bash
# Installs what the test suites need beyond the JDK (run by .ci/run; safe to run again): PyTorch
# 1.13 and torchvision from Debian, for the torchvision golden models; ONNX's Python package and
# its conformance data (libonnx-testdata, ONNX's node tests), for the ONNX tests (ONNX Runtime
# itself comes from Maven); and gcc, for the C backend's tests. All are optional: without them
# those tests are skipped with the reason, so a failed install warns instead of failing the build.
set -uo pipefail
packages=(python3-torch python3-torchvision python3-numpy python3-onnx libonnx-testdata gcc)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) to run every test" >&2
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  echo "install-test-deps: warning: could not install ${missing[*]}; the tests that need them will be skipped" >&2
fi
exit 0
