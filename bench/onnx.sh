#!/usr/bin/env bash
# ONNX models side by side, batch 1, in one run: torchvision's quantized ResNet-18 and MobileNetV2
# exported by PyTorch 1.13 to ONNX (QDQ, tools/torch/make_onnx_goldens.py, the `_exact` files with
# PyTorch's biases), run by Zeropoint (imported with --numerics pytorch-qnnpack, PyTorch's integers, and
# with --numerics onnx, ONNX Runtime's; jvm and c backends),
# by ONNX Runtime 1.20 (Java API; its default optimizations, and with session.x64quantprecision, the
# configuration without int16 saturation on CPUs without VNNI) and by PyTorch 1.13 itself (qnnpack
# and onednn), on 1 and 2 threads. docs/onnx.md records the numbers.
#
#   bench/onnx.sh [--models resnet18,mobilenet_v2] [--size 224]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" onnx.sh "$@"
out="$root/bench/out/onnx"
mkdir -p "$out"
machine
/usr/bin/python3 "$root/tools/torch/make_onnx_goldens.py" "$out" --models "$models" --size "$size" >/dev/null 2>&1
# ONNX Runtime runs from the tests module's classpath (it is a test dependency only).
# (one reactor build, so that the project's own modules resolve to their target/classes)
(cd "$root" && ./mvnw -B -q -pl tests -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$out/classpath.txt" >"$out/build.log" 2>&1) \
  || { echo "bench/onnx.sh: building the tests module failed; see $out/build.log" >&2; exit 1; }
cp="$root/tests/target/test-classes:$root/tests/target/classes:$(cat "$out/classpath.txt")"
jdk=""
for c in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java; do
  [ -n "$c" ] && [ -x "$c" ] || continue
  v=$("$c" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1) || true
  if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then jdk=$c; break; fi
done
[ -n "$jdk" ] || { echo "bench/onnx.sh: no JDK 21 or newer found" >&2; exit 1; }
/usr/bin/python3 "$root/bench/torch_latency.py" --models "$models" --size "$size" | tee "$out/torch.txt"
: > "$out/results.txt"
for m in ${models//,/ }; do
  f="$out/$m/${m}_exact.onnx"
  for t in 1 2; do
    for mode in default x64quantprecision; do
      r=$("$jdk" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.zeropoint.tests.onnx.OnnxRuntimeBench "$f" \
        "$out/$m/x.npy" $t 5 20 $mode 2>/dev/null)
      echo "$m ort-$mode threads=$t $r" | tee -a "$out/results.txt"
    done
    for numerics in pytorch-qnnpack onnx; do
      r=$("$root/zeropoint" bench "$f" --numerics $numerics --input "x=$out/$m/x.npy" --backend jvm \
        --threads $t --warmup 5 --iterations 10 2>/dev/null)
      echo "$m zeropoint-jvm-$numerics threads=$t $r" | tee -a "$out/results.txt"
    done
  done
  for numerics in pytorch-qnnpack onnx; do
    time_c "$f" "$out/c-$m-$numerics" "$out/$m/x.npy" --numerics $numerics | while read -r t ms; do
      echo "$m zeropoint-c-$numerics threads=$t median_ms=$ms"
    done | tee -a "$out/results.txt"
  done
done
ms() { grep "^$1 $2 threads=$3 " "$out/results.txt" | sed 's/.*median_ms=\([0-9.]*\).*/\1/'; }
tq() { grep "torch $1 engine=$2 threads=$3 " "$out/torch.txt" | sed 's/.*median_ms=\([0-9.]*\).*/\1/'; }
echo
echo "zp: Zeropoint on the _exact file; pytorch: --numerics pytorch-qnnpack (PyTorch's integers), onnx: --numerics onnx"
echo "(ONNX Runtime's integers, those of its exact x64quantprecision run; last column)"
printf "%-13s %3s %11s %11s %11s %11s %9s %10s %10s %10s %14s\n" model thr "zp jvm pt" "zp jvm onnx" "zp c pt" \
  "zp c onnx" "ort" "ort x64qp" "torch qnnp" "torch 1dnn" "c onnx/x64qp"
for m in ${models//,/ }; do
  for t in 1 2; do
    awk -v m="$m" -v t="$t" -v j="$(ms $m zeropoint-jvm-pytorch-qnnpack $t)" -v jo="$(ms $m zeropoint-jvm-onnx $t)" \
      -v c="$(ms $m zeropoint-c-pytorch-qnnpack $t)" -v co="$(ms $m zeropoint-c-onnx $t)" \
      -v o="$(ms $m ort-default $t)" -v x="$(ms $m ort-x64quantprecision $t)" -v q="$(tq $m qnnpack $t)" \
      -v d="$(tq $m onednn $t)" 'BEGIN { printf "%-13s %3s %8.1f ms %8.1f ms %8.1f ms %8.1f ms %6.1f ms %7.1f ms %7.1f ms %7.1f ms %13.2fx\n",
      m, t, j, jo, c, co, o, x, q, d, (x > 0 ? co / x : 0) }'
  done
done
