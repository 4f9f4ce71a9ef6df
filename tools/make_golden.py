#!/usr/bin/python3
"""Write the small golden fixtures that let resnet4j's Java tests run without Python.

    /usr/bin/python3 tools/make_golden.py                 # all fixtures into testdata/golden/
    /usr/bin/python3 tools/make_golden.py --only cifar_basic --out-root /tmp/golden

Each fixture folder testdata/golden/<name>/ holds
    weights.pth   torch.save(model.state_dict()) (zip format), float32, every parameter and BN buffer random
    input.npy     float32 input [N, C, H, W]
    output.npy    float32 logits [N, num_classes] from torchvision in eval mode
    spec.json     the block spec as written below (optional fields left out, so readers' defaults are exercised)
    meta.json     torch / torchvision versions, seed, the resolved spec, shapes, sha256 of the other files
and testdata/golden/README.md lists them. Files are written by tools/torch_reference.py's generate()
without timings, so a rerun on the same torch build reproduces every byte (check with `git status`).
"""

import argparse
import collections
import hashlib
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import _save_json, generate  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (spec as written to spec.json, input shape [N, C, H, W], seed, what it covers)
FIXTURES = collections.OrderedDict([
    ("tiny_basic", (
        {"block": "basic", "layers": [1, 1, 1, 1], "widths": [4, 8, 8, 16], "stem_width": 4,
         "num_classes": 5, "in_channels": 3},
        [2, 3, 32, 24], 1,
        "BasicBlock, default 7x7/2 stem + max-pool, non-square input, downsample in stages 2-4 "
        "(and none in stage 1 as stem_width == widths[0])")),
    ("tiny_bottleneck_grouped", (
        {"block": "bottleneck", "layers": [1, 2, 1, 1], "groups": 2, "width_per_group": 32,
         "widths": [4, 8, 8, 8], "stem_width": 8, "num_classes": 7},
        [2, 3, 40, 40], 2,
        "Bottleneck with grouped 3x3 conv (groups 2; bottleneck widths 4, 8, 8, 8 so 2-4 channels per "
        "group), a 2-block stage, a stride-1 downsample in stage 1 (8 -> 16 channels) and stride-2 ones after")),
    ("cifar_basic", (
        {"block": "basic", "layers": [1, 1, 1], "widths": [8, 16, 32], "stem_kernel": 3, "stem_stride": 1,
         "stem_pool": False, "stem_width": 8, "num_classes": 10},
        [3, 3, 16, 16], 3,
        "CIFAR-style: three stages, 3x3/1 stem without max-pool, batch 3")),
])

MAX_TOTAL_BYTES = 1 << 20


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make(name, out_root):
    spec, shape, seed, about = FIXTURES[name]
    d = os.path.join(out_root, name)
    if spec.get("in_channels", 3) != shape[1]:
        raise ValueError("%s: input channels %d != spec in_channels" % (name, shape[1]))
    meta = generate(d, spec=dict(spec), batch=shape[0], height=shape[2], width=shape[3], seed=seed,
                    dtype="float32", timings=False)
    # spec.json as authored (minimal); the resolved spec stays in meta.json
    _save_json(os.path.join(d, "spec.json"), spec)
    meta["generator"] = "tools/make_golden.py (via tools/torch_reference.py)"
    meta["fixture"] = name
    meta["covers"] = about
    meta["rerun"] = "/usr/bin/python3 tools/make_golden.py --only %s" % name
    meta["sha256"] = collections.OrderedDict(
        (f, sha256(os.path.join(d, f))) for f in ("weights.pth", "input.npy", "output.npy", "spec.json"))
    _save_json(os.path.join(d, "meta.json"), meta)
    return meta


def write_readme(out_root):
    lines = [
        "# Golden fixtures",
        "",
        "Made by `tools/make_golden.py` with Debian's torch %s / torchvision %s (`/usr/bin/python3`, "
        "`torch.set_num_threads(2)`). Do not edit by hand." % (torch.__version__, torchvision.__version__),
        "",
        "Rerun (from the repository root; a rerun on the same torch build reproduces every byte):",
        "",
        "```",
        "/usr/bin/python3 tools/make_golden.py            # all fixtures",
        "/usr/bin/python3 tools/make_golden.py --only tiny_basic",
        "```",
        "",
        "Each folder: `weights.pth` (`torch.save(model.state_dict())`, zip format, float32), `input.npy` "
        "(float32 `[N, C, H, W]`), `output.npy` (float32 logits `[N, num_classes]`, torchvision, eval mode), "
        "`spec.json` (the block spec as written, optional fields omitted), `meta.json` (versions, seed, "
        "resolved spec, shapes, sha256 of the other files).",
        "",
        "Randomness, for seed S: weights and BatchNorm buffers from `torch.Generator().manual_seed(S)` in "
        "`tools/resnet_torch.py: randomize` (conv kaiming-normal, BN weight U(0.5, 1.5), bias N(0, 0.1), "
        "running_mean N(0, 0.1), running_var U(0.5, 2.0), num_batches_tracked random int); input from "
        "`numpy.random.default_rng(S).standard_normal(shape, dtype=float32)`.",
        "",
        "| fixture | seed | input | spec.json | covers |",
        "|---|---|---|---|---|",
    ]
    total = 0
    for name, (spec, shape, seed, about) in FIXTURES.items():
        lines.append("| `%s` | %d | %s | `%s` | %s |" % (name, seed, "x".join(map(str, shape)),
                                                      json.dumps(spec), about))
    lines.append("")
    for name in FIXTURES:
        d = os.path.join(out_root, name)
        if os.path.isdir(d):
            total += sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    lines.append("Total size: %d bytes (kept under 1 MB)." % total)
    lines.append("")
    lines.append("Note: `tiny_bottleneck_grouped` uses width_per_group 32, not 4: torchvision's Bottleneck "
                 "width is `int(planes * width_per_group / 64) * groups`, which is 0 for planes 4 with "
                 "width_per_group 4 (zero-channel convolutions); `resnet_torch.resolve_spec` rejects such specs.")
    lines.append("")
    with open(os.path.join(out_root, "README.md"), "w") as f:
        f.write("\n".join(lines))
    return total


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the golden fixtures (weights.pth, input.npy, output.npy, "
                                             "spec.json, meta.json) for resnet4j's Java tests.")
    ap.add_argument("--out-root", default=os.path.join(REPO, "testdata", "golden"), metavar="DIR",
                    help="where the fixture folders go (default: <repo>/testdata/golden)")
    ap.add_argument("--only", nargs="+", choices=list(FIXTURES), metavar="NAME",
                    help="make only these fixtures: " + ", ".join(FIXTURES))
    ap.add_argument("--list", action="store_true", help="list the fixtures and exit")
    a = ap.parse_args(argv)
    if a.list:
        for name, (spec, shape, seed, about) in FIXTURES.items():
            print("%s  seed %d  input %s  %s" % (name, seed, shape, json.dumps(spec)))
        return 0
    torch.set_num_threads(2)
    os.makedirs(a.out_root, exist_ok=True)
    for name in a.only or FIXTURES:
        m = make(name, a.out_root)
        print("%s: %d parameters, input %s, output %s, max|y| %.4g" % (
            name, m["parameters"], m["input_shape"], m["output_shape"], m["output_max_abs"]))
    total = write_readme(a.out_root)
    print("total %d bytes in %s" % (total, a.out_root))
    if total > MAX_TOTAL_BYTES:
        print("error: fixtures exceed %d bytes" % MAX_TOTAL_BYTES, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
