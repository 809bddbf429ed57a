"""Latency of PyTorch 1.13's quantized CPU kernels on the same torchvision models the Zeropoint
benchmark runs (built by tools/torch/make_goldens.py's build_torchvision, same seed), batch 1: one
line per engine, model and thread count. Each engine quantizes with its own default qconfig and
packs the weights for itself. Run by bench/run.sh; use /usr/bin/python3."""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools", "torch"))
import torch  # noqa: E402
import make_goldens  # noqa: E402


def measure(name, engine, args):
    model, (x,) = make_goldens.build_torchvision(name, args.size, engine=engine)
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        try:
            with torch.no_grad():
                for _ in range(args.warmup):
                    model(x)
                times = []
                for _ in range(args.iterations):
                    start = time.perf_counter()
                    model(x)
                    times.append((time.perf_counter() - start) * 1000)
        except RuntimeError as e:  # an engine that cannot run this model here: say so, measure the rest
            print(f"torch {name} engine={engine} threads={threads} failed: {str(e).splitlines()[0]}", flush=True)
            continue
        print(f"torch {name} engine={engine} threads={threads} "
              f"median_ms={statistics.median(times):.1f} min_ms={min(times):.1f}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="resnet18,mobilenet_v2")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--engines", default="qnnpack,onednn")
    args = p.parse_args()
    for engine in args.engines.split(","):
        if engine not in torch.backends.quantized.supported_engines:
            print(f"torch engine {engine} is not in this build ({torch.backends.quantized.supported_engines})")
            continue
        torch.backends.quantized.engine = engine  # the model is quantized and packed for this engine
        for name in args.models.split(","):
            measure(name, engine, args)


if __name__ == "__main__":
    main()
