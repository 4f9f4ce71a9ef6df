#!/usr/bin/python3
"""One seeded random torchvision ResNet and its logits at several input sizes, for the Java engine's
parity tests at every vector width (src/test/java/org/resnet4j/engine/jvm/TorchvisionSizesTest.java).

Writes into OUT_DIR:

    weights.pth          torch.save(model.state_dict()), float32 (tools/resnet_torch.py: randomize)
    input_S.npy          float32 [batch, 3, S, S] per size S, numpy.random.default_rng(seed + S).standard_normal
    output_S.npy         float32 [batch, 1000] logits of model.eval() under torch.no_grad()

Small inputs (1x1, 8x8, 32x32) reach the last stage at 1x1 and take the kernels' border and
tap-cutting paths; 224x224 is the size the model was made for. Deterministic for the same torch build.

Example:
    /usr/bin/python3 tools/torch_sizes_reference.py --arch resnet50 --sizes 1,8,32,224 /tmp/sizes/resnet50
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_torch import PRESETS, build_model, randomize  # noqa: E402
from torch_reference import _save_npy, _save_state_dict, make_input  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True, choices=list(PRESETS), metavar="NAME",
                    help="torchvision preset: " + ", ".join(PRESETS))
    ap.add_argument("--sizes", default="1,8,32,224", metavar="S,S,...", help="square input sizes (default 1,8,32,224)")
    ap.add_argument("--batch", type=int, default=2, metavar="B", help="images per input (default 2)")
    ap.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the weights and inputs (default 0)")
    ap.add_argument("out_dir", metavar="OUT_DIR", help="output folder (created if missing)")
    a = ap.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    if a.batch < 1 or any(s < 1 for s in sizes):
        ap.error("--batch and every size must be >= 1")

    torch.set_num_threads(2)
    model = build_model(a.arch, None, None, None)
    randomize(model, a.seed)
    model.eval()
    os.makedirs(a.out_dir, exist_ok=True)
    _save_state_dict(os.path.join(a.out_dir, "weights.pth"), model.state_dict())
    for s in sizes:
        x = make_input(a.seed + s, a.batch, model.resnet4j_spec["in_channels"], s, s)
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy().astype(np.float32)
        if not np.all(np.isfinite(y)):
            raise RuntimeError("non-finite reference output at %dx%d" % (s, s))
        _save_npy(os.path.join(a.out_dir, "input_%d.npy" % s), x)
        _save_npy(os.path.join(a.out_dir, "output_%d.npy" % s), y)
        print("%s %dx%d: output %s max|y| %.4g" % (a.arch, s, s, list(y.shape), float(np.abs(y).max())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
