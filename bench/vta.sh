#!/usr/bin/env bash
# The accelerator targets on quantized ResNet-18 and MobileNetV2 at 224x224 (batch 1): for vta-mul (the
# models exactly as PyTorch quantized them) and vta (scales rounded to powers of two, --requantize pow2), the
# instruction counts, DRAM traffic, the simulator's cycle estimate and the share of MACs that ran on the
# accelerator, from one simulated inference each. Needs /usr/bin/python3 with torch to make the models
# (scripts/install-test-deps.sh installs it). docs/accel.md records the numbers.
#
#   bench/vta.sh [--models resnet18,mobilenet_v2] [--size 224]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" vta.sh "$@"
out="$root/bench/out"
mkdir -p "$out"
/usr/bin/python3 "$root/tools/torch/make_goldens.py" --large "$out" --models "$models" --size "$size" >/dev/null
: > "$out/vta.txt"
for m in ${models//,/ }; do
  for t in vta-mul vta; do
    extra=()
    if [ "$t" = vta ]; then extra=(--requantize pow2); fi
    echo "== $m ${size}x${size} on $t ${extra[*]}" | tee -a "$out/vta.txt"
    start=$(date +%s.%N)
    "$root/zeropoint" run "$out/$m/$m.qg" --input "x=$out/$m/x.npy" --backend "$t" "${extra[@]}" --stats \
      --output-dir "$out/vta-$m-$t" 2>/dev/null | grep -v '^wrote ' | tee -a "$out/vta.txt"
    end=$(date +%s.%N)
    echo "simulated in $(echo "$end - $start" | bc) s (compile and host code included)" | tee -a "$out/vta.txt"
    if [ "$t" = vta-mul ]; then
      # vta-mul computes the model as PyTorch quantized it: its output must be PyTorch's, byte for byte.
      /usr/bin/python3 - "$out/$m/output.npy" "$out/vta-$m-$t/output.npy" <<'PY' | tee -a "$out/vta.txt"
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
print("output equal to PyTorch's:", a.tobytes() == b.tobytes(), "(%d distinct values)" % len(np.unique(a)))
PY
    fi
  done
done
