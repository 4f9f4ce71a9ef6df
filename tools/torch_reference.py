#!/usr/bin/python3
"""torchvision reference outputs for resnet4j's parity tests.

Builds a torchvision ResNet (a preset or a block spec), gives every parameter and BatchNorm buffer
seeded random values (tools/resnet_torch.py: randomize), and writes into --out-dir:

    weights.pth   torch.save(model.state_dict()), torch's default zip format, tensors in --dtype
                  (num_batches_tracked stays int64)
    input.npy     float32 [batch, in_channels, height, width], numpy.random.default_rng(seed).standard_normal
    output.npy    float32 [batch, num_classes] logits, model.eval() under torch.no_grad()
    spec.json     the resolved block spec (every field), usable as `--spec` on the Java side
    meta.json     torch / torchvision versions, seed, arch / spec, dtype, shapes, max |output|, timings

With --dtype float16 or bfloat16 the weights are stored in that dtype and the reference output is
computed, in float32, by the model whose weights were rounded to that dtype and converted back.
The input is always float32 (not rounded).

Deterministic: the same arguments on the same torch build give the same files (torch.set_num_threads(2)).

Examples:
    /usr/bin/python3 tools/torch_reference.py --arch resnet50 --out-dir /tmp/ref/resnet50
    /usr/bin/python3 tools/torch_reference.py --spec my_spec.json --batch 1 --height 64 --width 48 \\
        --dtype float16 --out-dir /tmp/ref/custom
"""

import argparse
import collections
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_torch import PRESETS, SpecError, build_model, construction, randomize  # noqa: E402

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def _atomic_write(path, write):
    """write(tmp_path), then rename onto path. tmp_path is in a fresh temporary folder next to path
    and has path's own file name, because torch.save names the zip's top folder after the file
    ("weights/data.pkl"), exactly as a plain torch.save(sd, "weights.pth") does."""
    tmp_dir = tempfile.mkdtemp(prefix=".tmp-", dir=os.path.dirname(os.path.abspath(path)))
    tmp = os.path.join(tmp_dir, os.path.basename(path))
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _save_npy(path, array):
    def w(tmp):
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(array))
    _atomic_write(path, w)


def pretty_json(obj):
    """json.dumps(indent=2), with lists of numbers / strings kept on one line."""
    text = json.dumps(obj, indent=2)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]" if m.group(1) else "[]",
                  text)


def _save_json(path, obj):
    def w(tmp):
        with open(tmp, "w") as f:
            f.write(pretty_json(obj))
            f.write("\n")
    _atomic_write(path, w)


def _save_state_dict(path, sd):
    _atomic_write(path, lambda tmp: torch.save(sd, tmp))


def make_input(seed, batch, channels, height, width):
    """The seeded float32 input [batch, channels, height, width]."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, channels, height, width), dtype=np.float32)


def generate(out_dir, arch=None, spec=None, num_classes=None, in_channels=None, batch=2, height=224,
             width=224, seed=0, dtype="float32", timings=True):
    """Write weights.pth, input.npy, output.npy, spec.json, meta.json into out_dir; return meta.
    timings=False leaves wall-clock figures out of meta.json (so reruns are byte-identical)."""
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    model = build_model(arch, spec, num_classes, in_channels)
    full_spec = model.resnet4j_spec
    t_build = time.perf_counter()
    randomize(model, seed)
    t_rand = time.perf_counter()

    tdtype = DTYPES[dtype]
    if tdtype != torch.float32:
        # round every floating parameter / buffer to dtype and back (num_batches_tracked untouched)
        model.to(tdtype).to(torch.float32)
    sd = model.state_dict()
    if tdtype != torch.float32:
        saved = collections.OrderedDict((k, v.to(tdtype) if v.is_floating_point() else v) for k, v in sd.items())
        saved._metadata = sd._metadata  # as torch's own state_dict() carries it
    else:
        saved = sd

    x = make_input(seed, batch, full_spec["in_channels"], height, width)
    t_input = time.perf_counter()
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)
    t_fwd = time.perf_counter()
    if not np.all(np.isfinite(y)):
        raise RuntimeError("non-finite reference output")

    os.makedirs(out_dir, exist_ok=True)
    _save_state_dict(os.path.join(out_dir, "weights.pth"), saved)
    _save_npy(os.path.join(out_dir, "input.npy"), x)
    _save_npy(os.path.join(out_dir, "output.npy"), y)
    _save_json(os.path.join(out_dir, "spec.json"), full_spec)
    t_save = time.perf_counter()

    meta = collections.OrderedDict()
    meta["generator"] = "tools/torch_reference.py"
    meta["torch"] = torch.__version__
    meta["torchvision"] = torchvision.__version__
    meta["numpy"] = np.__version__
    meta["python"] = platform.python_version()
    meta["num_threads"] = torch.get_num_threads()
    meta["seed"] = seed
    meta["weights_seed"] = "torch.Generator().manual_seed(%d), resnet_torch.randomize" % seed
    meta["input_seed"] = "numpy.random.default_rng(%d).standard_normal(shape, dtype=float32)" % seed
    meta["arch"] = arch
    meta["spec"] = full_spec
    meta["spec_file"] = spec if isinstance(spec, str) else None
    meta["construction"] = construction(model)
    meta["dtype"] = dtype
    meta["parameters"] = int(sum(p.numel() for p in model.parameters()))
    meta["state_dict_keys"] = len(sd)
    meta["input_shape"] = list(x.shape)
    meta["output_shape"] = list(y.shape)
    meta["input_max_abs"] = float(np.abs(x).max())
    meta["output_max_abs"] = float(np.abs(y).max())
    meta["output_mean"] = float(y.mean())
    meta["output_std"] = float(y.std())
    if timings:
        meta["seconds"] = collections.OrderedDict([
            ("build", round(t_build - t0, 3)),
            ("randomize", round(t_rand - t_build, 3)),
            ("input", round(t_input - t_rand, 3)),
            ("forward", round(t_fwd - t_input, 3)),
            ("save", round(t_save - t_fwd, 3)),
            ("total", round(t_save - t0, 3)),
        ])
    _save_json(os.path.join(out_dir, "meta.json"), meta)
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Write torchvision reference files (weights.pth, input.npy, output.npy, spec.json, "
                    "meta.json) for a seeded random ResNet.",
        epilog="Example: /usr/bin/python3 tools/torch_reference.py --arch resnet18 --out-dir /tmp/ref/resnet18")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--arch", choices=list(PRESETS), metavar="NAME",
                     help="torchvision preset: " + ", ".join(PRESETS))
    src.add_argument("--spec", metavar="FILE.json", help="block spec JSON file")
    ap.add_argument("--num-classes", type=int, metavar="N", help="override num_classes (default: the spec's, 1000)")
    ap.add_argument("--in-channels", type=int, metavar="N", help="override in_channels (default: the spec's, 3)")
    ap.add_argument("--batch", type=int, default=2, metavar="B", help="input batch size (default 2)")
    ap.add_argument("--height", type=int, default=224, metavar="H", help="input height (default 224)")
    ap.add_argument("--width", type=int, default=224, metavar="W", help="input width (default 224)")
    ap.add_argument("--seed", type=int, default=0, metavar="S", help="seed for weights and input (default 0)")
    ap.add_argument("--dtype", choices=list(DTYPES), default="float32",
                    help="dtype of the saved weights; the reference output uses the weights rounded to it "
                         "(default float32)")
    ap.add_argument("--out-dir", required=True, metavar="DIR", help="output folder (created if missing)")
    ap.add_argument("--no-timings", action="store_true",
                    help="leave timings out of meta.json (byte-identical reruns)")
    a = ap.parse_args(argv)
    for name in ("batch", "height", "width"):
        if getattr(a, name) < 1:
            ap.error("--%s must be >= 1" % name)
    try:
        meta = generate(a.out_dir, a.arch, a.spec, a.num_classes, a.in_channels, a.batch, a.height, a.width,
                        a.seed, a.dtype, timings=not a.no_timings)
    except SpecError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print("%s: %s -> %s, %d parameters, output %s max|y| %.4g%s" % (
        a.out_dir, meta["construction"], a.dtype, meta["parameters"], meta["output_shape"],
        meta["output_max_abs"],
        (", %.2f s (forward %.2f s)" % (meta["seconds"]["total"], meta["seconds"]["forward"]))
        if "seconds" in meta else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
