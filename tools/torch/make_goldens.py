"""Writes the golden conformance data: models exported from PyTorch with PyTorch's outputs.

    /usr/bin/python3 tools/torch/make_goldens.py                   all cases -> tests/src/test/resources/golden/
    /usr/bin/python3 tools/torch/make_goldens.py --only NAME ...   some cases
    /usr/bin/python3 tools/torch/make_goldens.py --out DIR         another directory
    /usr/bin/python3 tools/torch/make_goldens.py --list            names and descriptions
    /usr/bin/python3 tools/torch/make_goldens.py --large DIR [--models resnet18,...] [--size N]
                                                  torchvision models at reduced input sizes (not committed)

Every case directory <case>/ holds:
  <case>.qg, <case>.safetensors   the model (weights file only when the model has named constants)
  <input>.npy                     each graph input, float32, named after forward()'s parameter
  <output>.npy                    PyTorch's result: float32 when the graph ends in dequantize, the
                                  stored integers (u8/i8) when it ends on a quantized tensor
  <output>.int.npy                for dequantized outputs: the integers of the quantized tensor
                                  that was dequantized (compare these for exactness)
  case.json                       name, description, inputs, outputs, output qparams, element and
                                  distinct-integer counts

Each case is checked before it is written: the exported .qg, executed with PyTorch's own kernels
(qg_check.py), must reproduce PyTorch's outputs bit for bit, and every output must have more than
two distinct integers.
"""

import argparse
import json
import pathlib
import re
import shutil
import sys
import zlib

import numpy as np
import torch

import golden_cases
import qg_check
import quant_helpers as qh
import zeropoint_torch

CASES = golden_cases.load_all()
ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "src" / "test" / "resources" / "golden"


def _qparams_json(t):
    if t.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        return {"dtype": str(t.dtype).replace("torch.", ""), "scale": float(t.q_scale()),
                "zero_point": int(t.q_zero_point())}
    return {"dtype": str(t.dtype).replace("torch.", ""), "axis": int(t.q_per_channel_axis()),
            "scales": t.q_per_channel_scales().tolist(), "zero_points": t.q_per_channel_zero_points().tolist()}


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def write_case(name, model, inputs, description, source, out_dir, comment=None):
    """Exports one model with its inputs and PyTorch's outputs into out_dir/name/; returns case.json's dict."""
    case_dir = pathlib.Path(out_dir) / name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    case_dir.mkdir(parents=True)
    header = comment or description
    header += (f"\nGolden case '{name}', written by tools/torch/make_goldens.py ({source} mode, torch "
               f"{torch.__version__}, engine {qh.ENGINE}).")
    result = zeropoint_torch.export(model, inputs, case_dir / f"{name}.qg", comment=header)
    with torch.no_grad():
        outputs = _as_tuple(model(*inputs))

    feed = {}
    input_info = []
    for (iname, meta), x in zip(result.inputs, inputs):
        arr = x.detach().numpy().astype(np.float32)
        np.save(case_dir / f"{iname}.npy", arr)
        feed[iname] = arr
        input_info.append({"name": iname, "file": f"{iname}.npy", "dtype": "float32", "shape": list(arr.shape)})

    replay = qg_check.run(case_dir / f"{name}.qg", feed)
    output_info = []
    for (oname, meta), y in zip(result.outputs, outputs):
        got = replay[oname]
        same = (got.is_quantized == y.is_quantized and got.shape == y.shape and
                (torch.equal(got.int_repr(), y.int_repr()) if y.is_quantized else torch.equal(got, y)))
        if not same:
            raise SystemExit(f"{name}: output {oname} of the exported graph differs from PyTorch's")
        info = {"name": oname, "file": f"{oname}.npy", "shape": list(y.shape), "elements": int(y.numel())}
        if y.is_quantized:
            ints = y.int_repr().numpy()
            np.save(case_dir / f"{oname}.npy", ints)
            info.update(dtype=str(ints.dtype), qparams=_qparams_json(y))
        else:
            np.save(case_dir / f"{oname}.npy", y.detach().numpy())
            info["dtype"] = str(y.detach().numpy().dtype)
            ints = None
            q = result.quantized_outputs.get(oname)
            if q is not None:
                ints = q.int_repr().numpy()
                np.save(case_dir / f"{oname}.int.npy", ints)
                info.update(int_file=f"{oname}.int.npy", int_dtype=str(ints.dtype), qparams=_qparams_json(q))
        counted = ints if ints is not None else y.detach().numpy()
        info["distinct"] = int(np.unique(counted).size)
        if ints is not None:
            info["saturated_low"] = int((ints == np.iinfo(ints.dtype).min).sum())
            info["saturated_high"] = int((ints == np.iinfo(ints.dtype).max).sum())
        output_info.append(info)

    meta = {
        "name": name,
        "description": description,
        "source": source,
        "numerics": zeropoint_torch.numerics_flavour(),
        "torch": torch.__version__,
        "model": f"{name}.qg",
        "weights": result.weights_path.name if result.weights_path else None,
        "inputs": input_info,
        "outputs": output_info,
    }
    write_case_json(case_dir, meta)
    return meta


def write_case_json(case_dir, meta):
    """case_dir/case.json: meta as indented JSON, lists of numbers kept on one line."""
    text = json.dumps(meta, indent=2)
    text = re.sub(r"\[\s+([-0-9.e,\s]+?)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)
    (case_dir / "case.json").write_text(text + "\n")


_INDEX_HEADER = """# Golden conformance cases

Written by `tools/torch/make_goldens.py` (do not edit by hand; rerun it). Each directory holds a model
exported from PyTorch, its inputs and PyTorch's outputs; see the script's docstring for the layout and
`case.json` for details. "distinct" counts the distinct integers of each output (of `<output>.int.npy`
when the output is dequantized).

| case | outputs: elements / distinct integers | description |
|---|---|---|
"""


def write_index(out_dir, metas):
    rows = []
    for m in metas:
        outs = ", ".join(f"{o['elements']} / {o['distinct']}" for o in m["outputs"])
        rows.append(f"| `{m['name']}` | {outs} | {m['description'].replace('|', '/')} |")
    (pathlib.Path(out_dir) / "README.md").write_text(_INDEX_HEADER + "\n".join(rows) + "\n")


def run_cases(names, out_dir):
    failures = []
    metas = []
    total = 0
    for name in names:
        fn, description, source = CASES[name]
        g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
        torch.manual_seed(zlib.crc32(name.encode()))
        built = fn(g)
        model, inputs = built[0], built[1]
        comment = (description + "\n\n" + built[2]) if len(built) > 2 else None
        meta = write_case(name, model, inputs, description, source, out_dir, comment)
        metas.append(meta)
        size = sum(f.stat().st_size for f in (pathlib.Path(out_dir) / name).iterdir())
        total += size
        outs = ", ".join(f"{o['name']} {o['elements']} el / {o['distinct']} distinct" for o in meta["outputs"])
        print(f"{name:36s} {size:6d} B  {outs}")
        for o in meta["outputs"]:
            if o["distinct"] <= 2:
                failures.append(f"{name}: output {o['name']} has only {o['distinct']} distinct values")
    print(f"total {total} bytes in {len(names)} cases")
    if set(names) == set(CASES):
        write_index(out_dir, metas)
    return failures


# --- torchvision models (--large) --------------------------------------------------------------

LARGE_MODELS = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_large", "shufflenet_v2_x1_0", "googlenet",
                "inception_v3"]


def _randomize_and_settle(model, g, size, batches=3):
    """Random batch-norm affine parameters, then running statistics measured on random inputs (batch
    norms alone in training mode), so every layer's activations stay alive through deep nets."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            c = bn.num_features
            bn.weight.copy_(qh.uniform(g, (c,), 0.6, 1.4))
            bn.bias.copy_(qh.uniform(g, (c,), -0.2, 0.3))
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the settling batches
        model.eval()
        for bn in bns:
            bn.train()
        for _ in range(batches):
            model(torch.randn((4, 3, size, size), generator=g))
        model.eval()
        for m in model.modules():  # a classifier with a larger spread of logits
            if isinstance(m, torch.nn.Linear):
                m.weight.normal_(0.0, 2.0 / m.in_features ** 0.5, generator=g)


def build_torchvision(name, size, seed=0, engine=qh.ENGINE):
    import torchvision.models.quantization as tvq

    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    kwargs = {"init_weights": True} if name in ("googlenet", "inception_v3") else {}
    model = getattr(tvq, name)(weights=None, quantize=False, **kwargs)
    _randomize_and_settle(model, g, size)
    model.fuse_model()
    model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn((2, 3, size, size), generator=g))
    torch.ao.quantization.convert(model, inplace=True)
    x = torch.randn((1, 3, size, size), generator=g) * 1.5
    return model, (x,)


def run_large(out_dir, models, size):
    failures = []
    for name in models:
        s = max(size, 80) if name == "inception_v3" else size
        try:
            model, inputs = build_torchvision(name, s)
            desc = (f"torchvision.models.quantization.{name}(weights=None, quantize=False), random weights with "
                    f"settled batch norms, fuse_model(), default {qh.ENGINE} qconfig, calibrated on random "
                    f"data, input {s}x{s}")
            meta = write_case(name, model, inputs, desc, "eager", out_dir)
            o = meta["outputs"][0]
            print(f"{name:20s} input {s}x{s}: {o['elements']} outputs, {o['distinct']} distinct integers, "
                  f"saturated {o.get('saturated_low')}/{o.get('saturated_high')}")
        except (zeropoint_torch.ExportError, SystemExit) as e:
            failures.append(f"{name}: {e}")
            print(f"{name}: FAILED: {e}")
    return failures


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=str(GOLDEN_DIR))
    p.add_argument("--only", nargs="*")
    p.add_argument("--list", action="store_true")
    p.add_argument("--large", metavar="DIR")
    p.add_argument("--models", default=",".join(LARGE_MODELS))
    p.add_argument("--size", type=int, default=64)
    args = p.parse_args(argv[1:])
    qh.setup()
    if args.list:
        for name, (_, desc, source) in CASES.items():
            print(f"{name}: {desc} [{source}]")
        return 0
    if args.large:
        failures = run_large(args.large, [m for m in args.models.split(",") if m], args.size)
    else:
        names = args.only or list(CASES)
        unknown = [n for n in names if n not in CASES]
        if unknown:
            raise SystemExit(f"unknown cases: {unknown}")
        out = pathlib.Path(args.out)
        if not args.only and out.exists():  # a full run owns the directory: drop stale cases
            for d in out.iterdir():
                if d.is_dir() and d.name not in CASES:
                    shutil.rmtree(d)
        failures = run_cases(names, out)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
