#!/usr/bin/env bash
# Latency at batch 1 of quantized ResNet-18 and MobileNetV2 at 224x224: Zeropoint's backends (interp, jvm, c) and
# PyTorch 1.13 (engines qnnpack and onednn), measured in the same run on this machine. Prints a table with
# the ratios (n/a where an engine could not run a model); docs/performance.md records the numbers. Then the compile time of ResNet-50 at 224x224
# (parse, passes, bytecode, class definition) in a fresh JVM, three times. Needs /usr/bin/python3 with torch (Debian's
# python3-torch; scripts/install-test-deps.sh installs it).
#
#   bench/run.sh [--models resnet18,mobilenet_v2] [--size 224]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" run.sh "$@"
out="$root/bench/out"
mkdir -p "$out"
machine
/usr/bin/python3 "$root/tools/torch/make_goldens.py" --large "$out" --models "$models" --size "$size" >/dev/null
/usr/bin/python3 "$root/bench/torch_latency.py" --models "$models" --size "$size" | tee "$out/torch.txt"
: > "$out/zeropoint.txt"
for m in ${models//,/ }; do
  "$root/zeropoint" bench "$out/$m/$m.qg" --input "x=$out/$m/x.npy" --backend interp --warmup 1 --iterations 3 \
    | tee -a "$out/zeropoint.txt"
  for t in 1 2; do
    # 30 untimed runs: C2 compiles the vector kernels over the first 20 to 35 runs (MobileNetV2 on two
    # threads took 25 to 30 ms a run before that and 11 to 12 ms after, session 13).
    "$root/zeropoint" bench "$out/$m/$m.qg" --input "x=$out/$m/x.npy" --backend jvm --threads $t --warmup 30 \
      --iterations 20 | sed "s/\$/ threads=$t/" | tee -a "$out/zeropoint.txt"
  done
done
# The C backend: the model as C for up to 2 threads, built with -O3 -march=x86-64-v3, timed by its own
# harness on 1 and 2 threads.
for m in ${models//,/ }; do
  time_c "$out/$m/$m.qg" "$out/c-$m" "$out/$m/x.npy" | while read -r t ms; do
    echo "$out/$m/$m.qg backend=c median_ms=$ms threads=$t"
  done | tee -a "$out/zeropoint.txt"
done
median() { grep "$1" "$2" | grep median_ms= | sed 's/.*median_ms=\([0-9.]*\).*/\1/' || true; }
echo
printf "%-14s %12s %12s %12s %12s %12s %12s %12s %12s %15s %15s %12s %12s\n" model interp "jvm 1t" "jvm 2t" "c 1t" \
  "c 2t" "qnnpack 1t" "onednn 1t" "onednn 2t" "jvm1t/onednn1t" "jvm2t/onednn2t" "c1t/onednn1t" "c2t/onednn2t"
for m in ${models//,/ }; do
  z=$(median "/$m.qg backend=interp" "$out/zeropoint.txt")
  j1=$(median "/$m.qg backend=jvm.*threads=1$" "$out/zeropoint.txt")
  j2=$(median "/$m.qg backend=jvm.*threads=2$" "$out/zeropoint.txt")
  c1=$(median "/$m.qg backend=c .*threads=1$" "$out/zeropoint.txt")
  c2=$(median "/$m.qg backend=c .*threads=2$" "$out/zeropoint.txt")
  q=$(median "torch $m engine=qnnpack threads=1 " "$out/torch.txt")
  o=$(median "torch $m engine=onednn threads=1 " "$out/torch.txt")
  o2=$(median "torch $m engine=onednn threads=2 " "$out/torch.txt")
  # A value that is missing (an engine that failed, a backend not run) shows as n/a, as do its ratios.
  awk -v m="$m" -v z="${z:-0}" -v j1="${j1:-0}" -v j2="${j2:-0}" -v c1="${c1:-0}" -v c2="${c2:-0}" -v q="${q:-0}" \
    -v o="${o:-0}" -v o2="${o2:-0}" '
    function ms(v) { return v > 0 ? sprintf("%9.1f ms", v) : sprintf("%12s", "n/a") }
    function ratio(a, b) { return a > 0 && b > 0 ? sprintf("%11.2fx", a / b) : sprintf("%12s", "n/a") }
    BEGIN {
      printf "%-14s %s %s %s %s %s %s %s %s    %s    %s %s %s\n", m, ms(z), ms(j1), ms(j2), ms(c1), ms(c2), ms(q),
        ms(o), ms(o2), ratio(j1, o), ratio(j2, o2), ratio(c1, o), ratio(c2, o2) }'
done

# Compile time: ResNet-50 (parse with its weights, -O, bytecode, hidden class), a fresh JVM each time.
/usr/bin/python3 "$root/tools/torch/make_goldens.py" --large "$out" --models resnet50 --size 224 >/dev/null
times=$(for i in 1 2 3; do
  "$root/zeropoint" bench "$out/resnet50/resnet50.qg" --input "x=$out/resnet50/x.npy" --backend jvm --warmup 0 \
    --iterations 1 2>/dev/null
done | sed 's/.*parse_ms=\([0-9.]*\) prepare_ms=\([0-9.]*\).*/\1 \2/' | awk '{ printf "%.0f\n", $1 + $2 }' | sort -n)
echo
echo "resnet50 compile (parse + passes + bytecode), fresh JVM: median $(echo "$times" | sed -n 2p) ms" \
  "(runs: $(echo $times) ms)"
