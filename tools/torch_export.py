#!/usr/bin/env python3
"""Graphs written by PyTorch's own exporter, for the Java engine's parity tests.

Usage (Debian's torch 1.13):  /usr/bin/python3 tools/torch_export.py OUT_DIR

Writes into OUT_DIR:
    resnet18_op13.onnx, resnet18_op17.onnx  torch.onnx.export of a seeded torchvision resnet18 (10 classes,
                                            random BatchNorm statistics) in eval mode, so PyTorch folds
                                            BatchNorm into Conv and renames the initializers (onnx::Conv_NNN)
    resnet18.npy                            PyTorch's logits for x.npy
    old_op11.onnx, old.npy                  an old-style net, flatten as x.view(x.size(0), -1) (the
                                            Shape/Gather/Unsqueeze/Concat/Reshape chain), softmax head, opset 11
    x.npy                                   the input, 2x3x67x61 (odd sizes on purpose)
"""
import os
import sys

import numpy as np
import torch
import torchvision


class OldStyle(torch.nn.Module):
    """resnet18 with the 2018-era forward: view(x.size(0), -1) and a softmax."""

    def __init__(self, r):
        super().__init__()
        self.r = r

    def forward(self, x):
        r = self.r
        x = r.maxpool(r.relu(r.bn1(r.conv1(x))))
        x = r.avgpool(r.layer4(r.layer3(r.layer2(r.layer1(x)))))
        x = x.view(x.size(0), -1)
        return torch.softmax(r.fc(x), 1)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(0)
    net = torchvision.models.resnet18(num_classes=10)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
    net.eval()
    x = torch.randn(2, 3, 67, 61, generator=torch.Generator().manual_seed(1))
    np.save(os.path.join(out, "x.npy"), x.numpy())
    dyn = {"input": {0: "N", 2: "H", 3: "W"}, "logits": {0: "N"}}
    with torch.no_grad():
        for opset in (13, 17):
            torch.onnx.export(net, x, os.path.join(out, "resnet18_op%d.onnx" % opset), opset_version=opset,
                              input_names=["input"], output_names=["logits"], dynamic_axes=dyn)
        np.save(os.path.join(out, "resnet18.npy"), net(x).numpy())
        old = OldStyle(net).eval()
        torch.onnx.export(old, x, os.path.join(out, "old_op11.onnx"), opset_version=11,
                          input_names=["input"], output_names=["logits"], dynamic_axes=dyn)
        np.save(os.path.join(out, "old.npy"), old(x).numpy())


if __name__ == "__main__":
    main()
