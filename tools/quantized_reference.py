#!/usr/bin/python3
"""A quantized torchvision ResNet made here, and PyTorch's own outputs for it: the reference for int8 parity.

What a PyTorch user does to get torchvision's quantized checkpoint, with random weights:

    model = torchvision.models.quantization.<arch>(weights=None, quantize=False)   # seeded float weights
    (BatchNorm weight, bias, running mean and variance randomised, so that folding them matters)
    model.eval(); model.fuse_model(); model.qconfig = get_default_qconfig(ENGINE)
    prepare(model); model(calibration batches); convert(model)
    torch.save(model.state_dict(), "weights.pth")

then runs the quantized model (torch.backends.quantized.engine = ENGINE) on other inputs and writes:

    weights.pth     the quantized state_dict (qint8 weights, per channel with onednn, per tensor with qnnpack)
    training.pth    with --training-checkpoint: the same state_dict as a training script saves it,
                    {'model': DataParallel's state_dict ('module.' prefix), 'epoch'}
    input.npy       float32 [N, 3, H, W]: the inputs, drawn like the calibration batches
    logits.npy      float32 [N, classes]: the dequantized outputs of PyTorch's quantized model
    features.npy    float32 [N, D]: the same model with fc = Identity (the dequantized pooled features)
    meta.json       arch, engine, torch version; the scale and zero point of fc's output, of the input and
                    of the pooled features

Usage: /usr/bin/python3 tools/quantized_reference.py --arch resnet18 --engine onednn|qnnpack [--run-engine E] [--seed S]
       [--batch N] [--size PX] [--calibration-batches B] [--training-checkpoint] --out-dir DIR
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torchvision
from torch.ao.quantization import convert, get_default_qconfig, prepare

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import _save_npy  # noqa: E402


def randomise_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(c, generator=gen) * 0.8 + 0.6)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) * 0.8 + 0.6)


def images(gen, n, size):
    """Image-like inputs: ImageNet-normalised values of smooth random pictures (what a camera gives, roughly)."""
    low = torch.rand(n, 3, max(2, size // 8), max(2, size // 8), generator=gen)
    x = torch.nn.functional.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
    x = (x + 0.05 * torch.randn(n, 3, size, size, generator=gen)).clamp(0, 1)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return ((x - mean) / std).float()


def main(argv=None):
    ap = argparse.ArgumentParser(description="a quantized torchvision ResNet and PyTorch's outputs for it")
    ap.add_argument("--arch", required=True, help="resnet18, resnet50, resnext101_32x8d, ...")
    ap.add_argument("--engine", choices=["onednn", "qnnpack", "fbgemm"], default="onednn",
                    help="the qconfig (observers: per-channel weights for onednn/fbgemm, per-tensor for qnnpack)")
    ap.add_argument("--run-engine", choices=["onednn", "qnnpack", "fbgemm"],
                    help="torch.backends.quantized.engine for convert and the reference run (default: --engine); "
                         "PyTorch 1.13's onednn cannot run grouped quantized convs (ResNeXt), qnnpack can")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--calibration-batches", type=int, default=4)
    ap.add_argument("--training-checkpoint", action="store_true",
                    help="also write training.pth: the state_dict wrapped as a training checkpoint")
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    torch.backends.quantized.engine = a.run_engine or a.engine
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    model = getattr(torchvision.models.quantization, a.arch)(weights=None, quantize=False)
    randomise_batchnorm(model, gen)
    model.eval()
    model.fuse_model(is_qat=False)
    model.qconfig = get_default_qconfig(a.engine)
    prepare(model, inplace=True)
    with torch.no_grad():
        for _ in range(a.calibration_batches):
            model(images(gen, a.batch, a.size))
    convert(model, inplace=True)
    os.makedirs(a.out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(a.out_dir, "weights.pth"))
    if a.training_checkpoint:
        wrapped = OrderedDict(("module." + k, v) for k, v in model.state_dict().items())
        torch.save({"model": wrapped, "epoch": 90}, os.path.join(a.out_dir, "training.pth"))
    x = images(gen, a.batch, a.size)
    pooled = {}
    model.avgpool.register_forward_hook(lambda m, i, o: pooled.update(scale=o.q_scale(), zero_point=o.q_zero_point()))
    with torch.no_grad():
        logits = model(x)
        model.fc = torch.nn.Identity()
        features = model(x)
    _save_npy(os.path.join(a.out_dir, "input.npy"), x.numpy())
    _save_npy(os.path.join(a.out_dir, "logits.npy"), logits.numpy().astype(np.float32))
    _save_npy(os.path.join(a.out_dir, "features.npy"), features.numpy().astype(np.float32))
    sd = torch.load(os.path.join(a.out_dir, "weights.pth"))
    meta = {"arch": a.arch, "engine": a.engine, "run_engine": torch.backends.quantized.engine, "torch": torch.__version__, "seed": a.seed,
            "fc_scale": float(sd["fc.scale"]), "fc_zero_point": int(sd["fc.zero_point"]),
            "input_scale": float(sd["quant.scale"]), "input_zero_point": int(sd["quant.zero_point"]),
            "features_scale": float(pooled["scale"]), "features_zero_point": int(pooled["zero_point"])}
    with open(os.path.join(a.out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
