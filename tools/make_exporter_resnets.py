#!/usr/bin/env python3
"""ResNets as other exporters write them, with PyTorch's outputs, for the engines' compatibility tests.

Usage (Debian's torch 1.13):
    /usr/bin/python3 tools/make_exporter_resnets.py small OUT_DIR      # testdata/exporter (tiny widths, committed)
    /usr/bin/python3 tools/make_exporter_resnets.py resnet18 OUT_DIR   # torchvision resnet18, opsets 7-10 (45 MB each)

Per model NAME, OUT_DIR gets NAME.onnx, NAME.in<i>.npy (the inputs, in graph input order) and
NAME.out.npy (PyTorch's output, eval mode, float32). Models:

small:
  preact_nhwc_op9, _op11, _op13   pre-activation (v2) ResNet taking NHWC images in 0..255: in-graph
                                  permute (Transpose) and normalisation (Sub, Div), a stem with F.pad then
                                  max-pool (Pad -> MaxPool), BN -> ReLU6 (Clip) -> conv blocks, Dropout,
                                  mean pooling (ReduceMean) and flatten by view(x.size(0), -1) (Shape,
                                  Gather, Unsqueeze, Concat, Reshape); fixed input shape at opset 9 (the
                                  shape chain folds), dynamic batch at 11 and 13
  resnet1d_op13                   a 1-D ResNet (Conv1d, BatchNorm1d, MaxPool1d, AdaptiveAvgPool1d): ECG/audio
  two_input_op13                  an image and a side vector: the image's pooled features concatenated
                                  with a projection of the vector, then the classifier
resnet18:
  resnet18_op7 .. resnet18_op10   torchvision resnet18 (seeded weights and BN statistics), exported with
                                  keep_initializers_as_inputs=True (initializers listed as graph inputs)

Everything is seeded; torch.set_num_threads(2). Files are written to a temporary name and moved.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision


def save_npy(path, a):
    tmp = path + ".tmp.npy"
    np.save(tmp, np.ascontiguousarray(a))
    os.replace(tmp, path)


def randomize_bn(net, gen):
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


class PreActBlock(torch.nn.Module):
    """ResNet v2 block: BN -> ReLU6 -> conv, twice, plus the (projected) shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = torch.nn.BatchNorm2d(cin)
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.proj = torch.nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        pre = F.relu6(self.bn1(x))
        short = self.proj(pre) if self.proj is not None else x
        y = self.conv1(pre)
        y = self.conv2(torch.clamp(self.bn2(y), 0, 6))
        return y + short


class PreActNhwc(torch.nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.register_buffer("mean", torch.tensor([123.7, 116.3, 103.5]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([58.4, 57.1, 57.4]).view(1, 3, 1, 1))
        self.stem = torch.nn.Conv2d(3, 8, 3, 1, 1, bias=True)
        self.block1 = PreActBlock(8, 8, 1)
        self.block2 = PreActBlock(8, 16, 2)
        self.bn = torch.nn.BatchNorm2d(16)
        self.drop = torch.nn.Dropout(0.2)
        self.fc = torch.nn.Linear(16, classes)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        x = (x - self.mean) / self.std
        x = self.stem(x)
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, 2)
        x = self.block2(self.block1(x))
        x = F.relu6(self.bn(x))
        x = x.mean((2, 3), keepdim=True)
        x = x.view(x.size(0), -1)
        return self.fc(self.drop(x))


class Block1d(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = torch.nn.Conv1d(cin, cout, 7, stride, 3, bias=False)
        self.b1 = torch.nn.BatchNorm1d(cout)
        self.c2 = torch.nn.Conv1d(cout, cout, 7, 1, 3, bias=False)
        self.b2 = torch.nn.BatchNorm1d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = torch.nn.Sequential(torch.nn.Conv1d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm1d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class ResNet1d(torch.nn.Module):
    def __init__(self, leads=2, classes=4):
        super().__init__()
        self.stem = torch.nn.Conv1d(leads, 8, 15, 2, 7, bias=False)
        self.bn = torch.nn.BatchNorm1d(8)
        self.pool = torch.nn.MaxPool1d(3, 2, 1)
        self.layer1 = Block1d(8, 8, 1)
        self.layer2 = Block1d(8, 16, 2)
        self.avg = torch.nn.AdaptiveAvgPool1d(1)
        self.fc = torch.nn.Linear(16, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.stem(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avg(x), 1))


class TwoInput(torch.nn.Module):
    """An image through a tiny ResNet of torchvision's BasicBlocks, plus a side vector (e.g. metadata)."""

    def __init__(self, classes=3):
        super().__init__()
        rn = torchvision.models.resnet
        down = torch.nn.Sequential(rn.conv1x1(8, 16, 2), torch.nn.BatchNorm2d(16))
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 7, 2, 3, bias=False), torch.nn.BatchNorm2d(8), torch.nn.ReLU(inplace=True),
            torch.nn.MaxPool2d(3, 2, 1), rn.BasicBlock(8, 8), rn.BasicBlock(8, 16, 2, down),
            torch.nn.AdaptiveAvgPool2d(1))
        self.side = torch.nn.Linear(6, 16)
        self.fc = torch.nn.Linear(16 + 16, classes)

    def forward(self, image, side):
        f = torch.flatten(self.body(image), 1)
        return self.fc(torch.cat([f, torch.sigmoid(self.side(side))], 1))


def export(net, inputs, out, name, opset, names, dynamic=None, keep_initializers=False):
    net.eval()
    path = os.path.join(out, name + ".onnx")
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(net, tuple(inputs), tmp, opset_version=opset, input_names=names, output_names=["logits"],
                          dynamic_axes=dynamic, keep_initializers_as_inputs=keep_initializers,
                          do_constant_folding=True)
        y = net(*inputs)
    os.replace(tmp, path)
    for i, x in enumerate(inputs):
        save_npy(os.path.join(out, "%s.in%d.npy" % (name, i)), x.numpy())
    save_npy(os.path.join(out, name + ".out.npy"), y.numpy())
    print(name, os.path.getsize(path), "bytes")


def small(out):
    gen = torch.Generator().manual_seed(13)
    torch.manual_seed(13)
    pre = PreActNhwc()
    randomize_bn(pre, gen)
    x = torch.rand(2, 21, 19, 3, generator=gen) * 255
    export(pre, [x], out, "preact_nhwc_op9", 9, ["image"])
    dyn = {"image": {0: "N"}, "logits": {0: "N"}}
    export(pre, [x], out, "preact_nhwc_op11", 11, ["image"], dyn)
    export(pre, [x], out, "preact_nhwc_op13", 13, ["image"], dyn)

    r1 = ResNet1d()
    randomize_bn(r1, gen)
    sig = torch.randn(2, 2, 250, generator=gen)
    export(r1, [sig], out, "resnet1d_op13", 13, ["signal"], {"signal": {0: "N", 2: "T"}, "logits": {0: "N"}})

    two = TwoInput()
    randomize_bn(two, gen)
    img = torch.randn(2, 3, 33, 29, generator=gen)
    side = torch.randn(2, 6, generator=gen)
    export(two, [img, side], out, "two_input_op13", 13, ["image", "side"],
           {"image": {0: "N"}, "side": {0: "N"}, "logits": {0: "N"}})


def resnet18(out):
    gen = torch.Generator().manual_seed(18)
    torch.manual_seed(18)
    net = torchvision.models.resnet18()
    randomize_bn(net, gen)
    x = torch.randn(1, 3, 224, 224, generator=gen)
    for opset in (7, 8, 9, 10):
        export(net, [x], out, "resnet18_op%d" % opset, opset, ["input"], keep_initializers=True)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("small", "resnet18"):
        sys.exit(__doc__)
    torch.set_num_threads(2)
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    (small if sys.argv[1] == "small" else resnet18)(out)


if __name__ == "__main__":
    main()
