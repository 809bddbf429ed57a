# Shared by the bench scripts, sourced as `source bench/common.sh SCRIPT "$@"`: reads the common
# arguments (--models resnet18,mobilenet_v2, --size 224) into $models and $size, sets $root (the
# checkout), and defines machine and time_c.
bench_script=$1
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models=resnet18,mobilenet_v2
size=224
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    *) echo "bench/$bench_script: unknown argument $1" >&2; exit 1 ;;
  esac
done

# The machine line every report starts with.
machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB"
}

# time_c MODEL DIR INPUT.npy [compile options...]: MODEL as C for up to 2 threads in DIR, built with
# -O3 -march=x86-64-v3, timed by its own harness on 1 and 2 threads (20 runs after 3 warm-ups);
# prints "THREADS MEDIAN_MS" per thread count.
time_c() {
  local model=$1 dir=$2 input=$3 name t
  shift 3
  rm -rf "$dir"
  "$root/zeropoint" compile "$model" "$@" --target c --threads 2 -o "$dir" >/dev/null
  name=$(ls "$dir" | sed -n 's/_main\.c$//p')
  "${CC:-cc}" -std=c99 -O3 -march=x86-64-v3 -ffp-contract=off -pthread "$dir/$name.c" "$dir/${name}_main.c" \
    -o "$dir/$name"
  for t in 1 2; do
    "$dir/$name" --input "x=$input" --repeat 3 --threads $t >/dev/null
    echo "$t $("$dir/$name" --input "x=$input" --repeat 20 --threads $t | sed -n 's/^median_ms //p')"
  done
}
