#!/usr/bin/env python3
"""Write a seeded torchvision ResNet under Hugging Face transformers' names, as safetensors.

transformers is not needed (nor installed on Debian): the names follow transformers'
modeling_resnet.py (ResNetForImageClassification / ResNetModel), mapped here from torchvision's
state_dict keys by an inverse of the table in org.resnet4j.weights.NamingSchemes:

    conv1.weight                    -> resnet.embedder.embedder.convolution.weight
    bn1.X                           -> resnet.embedder.embedder.normalization.X
    layerS.B.convK.weight           -> resnet.encoder.stages.{S-1}.layers.B.layer.{K-1}.convolution.weight
    layerS.B.bnK.X                  -> resnet.encoder.stages.{S-1}.layers.B.layer.{K-1}.normalization.X
    layerS.B.downsample.0.weight    -> resnet.encoder.stages.{S-1}.layers.B.shortcut.convolution.weight
    layerS.B.downsample.1.X         -> resnet.encoder.stages.{S-1}.layers.B.shortcut.normalization.X
    fc.X                            -> classifier.1.X
With --layout backbone (ResNetModel) the "resnet." prefix and the classifier are dropped.

The safetensors file is written by hand (the safetensors package may be absent): F32 tensors,
I64 num_batches_tracked, header padded with spaces to 8 bytes, {"__metadata__": {"format": "pt"}}.

Usage (Debian's torch):
    /usr/bin/python3 tools/make_hf_fixture.py OUT_DIR [--block basic|bottleneck] [--layers 1,1,1,1]
        [--groups 1] [--width-per-group 64] [--num-classes 10] [--layout classification|backbone] [--seed 1234]
Writes OUT_DIR/hf.safetensors, OUT_DIR/input.npy (2x3x64x64), OUT_DIR/logits.npy (torchvision's
output on the same weights, classification layout only) and OUT_DIR/meta.json (torch version,
seed, arguments). Nothing goes into testdata/: the Java tests call this live.
"""
import argparse
import json
import os
import re
import struct
from collections import OrderedDict

import numpy as np
import torch
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

LAYER = re.compile(r"layer(\d+)\.(\d+)\.(.*)")


def to_hf(key, classification):
    p = "resnet." if classification else ""
    if key.startswith("fc."):
        return "classifier.1." + key[3:] if classification else None
    if key == "conv1.weight":
        return p + "embedder.embedder.convolution.weight"
    if key.startswith("bn1."):
        return p + "embedder.embedder.normalization." + key[4:]
    m = LAYER.fullmatch(key)
    if not m:
        raise ValueError("not a torchvision ResNet key: " + key)
    base = "%sencoder.stages.%d.layers.%s." % (p, int(m.group(1)) - 1, m.group(2))
    rest = m.group(3)
    if rest == "downsample.0.weight":
        return base + "shortcut.convolution.weight"
    if rest.startswith("downsample.1."):
        return base + "shortcut.normalization." + rest[len("downsample.1."):]
    c = re.fullmatch(r"conv(\d)\.weight", rest)
    if c:
        return base + "layer.%d.convolution.weight" % (int(c.group(1)) - 1)
    b = re.fullmatch(r"bn(\d)\.(.*)", rest)
    if b:
        return base + "layer.%d.normalization.%s" % (int(b.group(1)) - 1, b.group(2))
    raise ValueError("not a torchvision ResNet key: " + key)


def write_safetensors(path, tensors):
    header = OrderedDict([("__metadata__", {"format": "pt"})])
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.int64:
            dtype, data = "I64", t.numpy().astype("<i8").tobytes()
        else:
            dtype, data = "F32", t.float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--block", choices=["basic", "bottleneck"], default="basic")
    ap.add_argument("--layers", default="1,1,1,1")
    ap.add_argument("--groups", type=int, default=1)
    ap.add_argument("--width-per-group", type=int, default=64)
    ap.add_argument("--num-classes", type=int, default=10)
    ap.add_argument("--layout", choices=["classification", "backbone"], default="classification")
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    block = BasicBlock if a.block == "basic" else Bottleneck
    model = ResNet(block, [int(x) for x in a.layers.split(",")], num_classes=a.num_classes,
                   groups=a.groups, width_per_group=a.width_per_group).eval()
    with torch.no_grad():  # BatchNorm statistics and affine terms that are not the defaults
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.num_batches_tracked.fill_(int(torch.randint(0, 100000, ())))
    classification = a.layout == "classification"
    hf = OrderedDict()
    for k, t in model.state_dict().items():
        name = to_hf(k, classification)
        if name is not None:
            hf[name] = t
    os.makedirs(a.out, exist_ok=True)
    write_safetensors(os.path.join(a.out, "hf.safetensors"), hf)
    x = torch.randn(2, 3, 64, 64)
    np.save(os.path.join(a.out, "input.npy"), x.numpy())
    if classification:
        with torch.no_grad():
            np.save(os.path.join(a.out, "logits.npy"), model(x).numpy())
    meta = {"torch": torch.__version__, "seed": a.seed, "args": vars(a), "tensors": len(hf)}
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
