#!/usr/bin/python3
"""Small nets whose explicit F.pad meets a pool or conv: the graphs where ONNX Runtime's PadFusion
rule (onnxruntime/core/optimizer/pad_fusion.cc, rule name "Pad_Fusion") folds a Pad node into the
next node's own `pads` attribute.

That is right for Conv (it pads with zeros too) but wrong for MaxPool (its padding is -inf, so a
window that sees only padding and negative values returns the negative maximum instead of the 0
that the Pad put there) and for AveragePool with count_include_pad=0 (the padded zeros were real
elements of the average, after fusion they are left out of the count).

Each case folder under --out-dir (default testdata/ortpad) holds:
    model.onnx   torch.onnx.export at the case's opset (eval mode, fixed input shape)
    input.npy    float32 [1, 3, 16, 16], numpy.random.default_rng(seed).standard_normal
    output.npy   float32 logits of the torch model on that input, under torch.no_grad()
and meta.json next to the folders records torch / onnx versions, the seed and the cases.

Cases:
    maxpool_opset9 / maxpool_opset11   conv -> F.pad(zeros) -> MaxPool -> pre-activation block  (ORT wrong)
    avgpool_exclude_opset11            conv -> F.pad(zeros) -> AvgPool(count_include_pad=False)   (ORT wrong)
    avgpool_include_opset11            same with count_include_pad=True                           (fusion right)
    conv_value_opset11                 conv -> F.pad(value=0.5) -> Conv                           (not fused)
    conv_bn_odd_pad_opset11            F.pad(0, 1, 0, 1) -> Conv(stride 2) -> BN -> ReLU          (fusion right)

    /usr/bin/python3 tools/make_pad_fusion_cases.py [--out-dir testdata/ortpad] [--seed 0]
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import _atomic_write, _save_json, _save_npy  # noqa: E402


class PadPool(nn.Module):
    """Stem conv, an explicit pad, a pool, one pre-activation residual block, mean, fc."""

    def __init__(self, pool, pad=(1, 1, 1, 1), value=0.0):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.pad, self.value = pad, value
        self.pool = pool
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.pool(F.pad(self.conv1(x), self.pad, value=self.value))
        x = x + self.conv2(F.relu(self.bn(x)))
        return self.fc(x.mean(dim=(2, 3)))


class OddPadConvBn(nn.Module):
    """An asymmetric explicit pad before a strided conv whose BatchNorm ORT folds into it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(F.pad(x, (0, 1, 0, 1)))))
        return self.fc(x.mean(dim=(2, 3)))


def cases():
    return {
        "maxpool_opset9": (lambda: PadPool(nn.MaxPool2d(3, stride=2)), 9),
        "maxpool_opset11": (lambda: PadPool(nn.MaxPool2d(3, stride=2)), 11),
        "avgpool_exclude_opset11": (lambda: PadPool(nn.AvgPool2d(3, stride=2, count_include_pad=False)), 11),
        "avgpool_include_opset11": (lambda: PadPool(nn.AvgPool2d(3, stride=2, count_include_pad=True)), 11),
        "conv_value_opset11": (lambda: PadPool(nn.Conv2d(8, 8, 3, stride=2, bias=False), value=0.5), 11),
        "conv_bn_odd_pad_opset11": (OddPadConvBn, 11),
    }


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (0.5 if p.dim() > 1 else 0.1))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    return model.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "ortpad"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    x = np.random.default_rng(args.seed).standard_normal((1, 3, 16, 16), dtype=np.float32)
    meta = {"torch": torch.__version__, "onnx": onnx.__version__, "seed": args.seed, "cases": {}}
    for name, (make, opset) in cases().items():
        model = randomize(make(), args.seed)
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy()
        out = os.path.join(args.out_dir, name)
        os.makedirs(out, exist_ok=True)

        def export(tmp, model=model, opset=opset):
            torch.onnx.export(model, torch.from_numpy(x), tmp, opset_version=opset,
                              input_names=["input"], output_names=["logits"], do_constant_folding=True)
            onnx.checker.check_model(onnx.load(tmp))

        _atomic_write(os.path.join(out, "model.onnx"), export)
        _save_npy(os.path.join(out, "input.npy"), x)
        _save_npy(os.path.join(out, "output.npy"), y)
        ops = [n.op_type for n in onnx.load(os.path.join(out, "model.onnx")).graph.node]
        meta["cases"][name] = {"opset": opset, "ops": ops, "max_abs_output": float(np.abs(y).max())}
        print(name, opset, " ".join(ops))
    _save_json(os.path.join(args.out_dir, "meta.json"), meta)


if __name__ == "__main__":
    main()
