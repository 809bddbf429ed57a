#!/usr/bin/env bash
# Latency at batch 1 of quantized ResNet-18 and MobileNetV2 at 224x224: Zeropoint's backends and
# PyTorch 1.13 (engine qnnpack), measured in the same run on this machine. Prints a table with the
# ratios; docs/performance.md records the numbers. Needs /usr/bin/python3 with torch (Debian's
# python3-torch; scripts/install-test-deps.sh installs it).
#
#   bench/run.sh [--models resnet18,mobilenet_v2] [--size 224]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models=resnet18,mobilenet_v2
size=224
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
out="$root/bench/out"
mkdir -p "$out"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB"
/usr/bin/python3 "$root/tools/torch/make_goldens.py" --large "$out" --models "$models" --size "$size" >/dev/null
/usr/bin/python3 "$root/bench/torch_latency.py" --models "$models" --size "$size" | tee "$out/torch.txt"
: > "$out/zeropoint.txt"
for m in ${models//,/ }; do
  "$root/zeropoint" bench "$out/$m/$m.qg" --input "x=$out/$m/x.npy" --backend interp --warmup 1 --iterations 3 \
    | tee -a "$out/zeropoint.txt"
done
echo
echo "model               zeropoint interp   torch qnnpack 1t   torch onednn 1t   interp / qnnpack   interp / onednn"
for m in ${models//,/ }; do
  q=$(grep "torch $m engine=qnnpack threads=1 " "$out/torch.txt" | sed 's/.*median_ms=\([0-9.]*\).*/\1/')
  o=$(grep "torch $m engine=onednn threads=1 " "$out/torch.txt" | sed 's/.*median_ms=\([0-9.]*\).*/\1/')
  z=$(grep "/$m.qg " "$out/zeropoint.txt" | sed 's/.*median_ms=\([0-9.]*\).*/\1/')
  awk -v m="$m" -v z="$z" -v q="${q:-0}" -v o="${o:-0}" 'BEGIN {
    printf "%-19s %14.1f ms %14.1f ms %14.1f ms %15.1fx %16.1fx\n", m, z, q, o, (q > 0 ? z / q : 0), (o > 0 ? z / o : 0) }'
done
