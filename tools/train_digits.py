#!/usr/bin/python3
"""Train the embedded demo model: a small CIFAR-style ResNet on scikit-learn's 8x8 digits.

The data set ships with Debian's python3-sklearn (sklearn.datasets.load_digits: 1797 images of
8x8 pixels, values 0..16, ten classes), so nothing is downloaded. The model is a resnet4j block
spec (tools/resnet_torch.py builds it with torchvision's BasicBlock and state_dict names):

    {"block": "basic", "layers": [1, 1, 1], "widths": [16, 32, 64], "stem_width": 16,
     "stem_kernel": 3, "stem_stride": 1, "stem_pool": false, "in_channels": 1, "num_classes": 10}

Preprocessing, the same for training and the committed test images: pixel / 16 as float32,
shape [N, 1, 8, 8]. A stratified, seeded 70/30 split keeps the test images out of training.

Writes into OUT (default testdata/digits, which the build also packs into the jar as the
classpath folder org/resnet4j/demo/ for `resnet4j demo`):

    model.pth          torch.save(model.state_dict()) (torch's zip format)
    spec.json          the block spec above (every field)
    test_images.npy    float32 [N, 1, 8, 8], the held-out images exactly as the model sees them
    test_labels.npy    float32 [N], their classes 0..9
    test_logits.npy    float32 [N, 10], PyTorch's logits for test_images (eval mode, no_grad)
    meta.json          torch / torchvision / sklearn versions, seed, split, epochs, the accuracy PyTorch
                       measured on the held-out set (correct / total), training time

Deterministic: one seed for the split, the initialisation and the batch order; 2 threads;
torch.use_deterministic_algorithms(True). Takes well under a minute on 2 CPU threads.

Usage: /usr/bin/python3 tools/train_digits.py [--out OUT] [--seed S] [--epochs E]
"""
import argparse
import collections
import json
import os
import platform
import sys
import time

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
import torchvision
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_torch import build_model, construction  # noqa: E402
from torch_reference import _atomic_write as _atomic, _save_npy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = collections.OrderedDict([
    ("block", "basic"), ("layers", [1, 1, 1]), ("widths", [16, 32, 64]), ("stem_width", 16),
    ("stem_kernel", 3), ("stem_stride", 1), ("stem_pool", False), ("in_channels", 1), ("num_classes", 10),
])


def _save_json(path, obj):
    def w(tmp):
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
    _atomic(path, w)


def preprocess(pixels):
    """sklearn's digits (values 0..16, [N, 64]) -> float32 [N, 1, 8, 8] in [0, 1]."""
    return (np.asarray(pixels, dtype=np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train the resnet4j demo model on sklearn's 8x8 digits.")
    ap.add_argument("--out", default=os.path.join(ROOT, "testdata", "digits"), metavar="DIR",
                    help="output folder (default: testdata/digits)")
    ap.add_argument("--seed", type=int, default=7, metavar="S", help="seed for split, init and batches (default 7)")
    ap.add_argument("--epochs", type=int, default=12, metavar="E", help="training epochs (default 12)")
    ap.add_argument("--no-timings", action="store_true", help="leave timings out of meta.json")
    a = ap.parse_args(argv)

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(a.seed)
    t0 = time.perf_counter()

    digits = load_digits()
    x = preprocess(digits.data)
    y = digits.target.astype(np.int64)
    idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=0.3, random_state=a.seed, stratify=y)
    x_train, y_train = torch.from_numpy(x[idx_train]), torch.from_numpy(y[idx_train])
    x_test, y_test = x[idx_test], y[idx_test]

    model = build_model(spec=dict(SPEC))
    gen = torch.Generator().manual_seed(a.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs)
    batch = 64
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(y_train), generator=gen)
        total = 0.0
        for i in range(0, len(order), batch):
            b = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x_train[b]), y_train[b])
            loss.backward()
            opt.step()
            total += float(loss) * len(b)
        sched.step()
        if epoch == a.epochs - 1 or epoch % 5 == 0:
            print("epoch %2d  loss %.4f" % (epoch, total / len(order)), flush=True)
    t_train = time.perf_counter()

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy().astype(np.float32)
    pred = logits.argmax(axis=1)
    correct = int((pred == y_test).sum())
    accuracy = correct / len(y_test)
    # The margin between the top two logits: the demo's accuracy must be robust to fp32 rounding.
    top2 = np.sort(logits, axis=1)[:, -2:]
    min_margin = float((top2[:, 1] - top2[:, 0]).min())

    os.makedirs(a.out, exist_ok=True)
    _atomic(os.path.join(a.out, "model.pth"), lambda tmp: torch.save(model.state_dict(), tmp))
    _save_json(os.path.join(a.out, "spec.json"), model.resnet4j_spec)
    _save_npy(os.path.join(a.out, "test_images.npy"), x_test)
    _save_npy(os.path.join(a.out, "test_labels.npy"), y_test.astype(np.float32))
    _save_npy(os.path.join(a.out, "test_logits.npy"), logits)

    meta = collections.OrderedDict()
    meta["generator"] = "tools/train_digits.py"
    meta["torch"] = torch.__version__
    meta["torchvision"] = torchvision.__version__
    meta["sklearn"] = sklearn.__version__
    meta["numpy"] = np.__version__
    meta["python"] = platform.python_version()
    meta["num_threads"] = torch.get_num_threads()
    meta["seed"] = a.seed
    meta["dataset"] = "sklearn.datasets.load_digits (8x8, values 0..16, 10 classes)"
    meta["preprocessing"] = "pixel / 16 as float32, shape [N, 1, 8, 8]"
    meta["split"] = "sklearn train_test_split(test_size=0.3, random_state=seed, stratify=labels)"
    meta["train_size"] = int(len(idx_train))
    meta["test_size"] = int(len(idx_test))
    meta["epochs"] = a.epochs
    meta["optimizer"] = "AdamW(lr=3e-3, weight_decay=1e-4), cosine schedule, batch 64"
    meta["construction"] = construction(model)
    meta["parameters"] = int(sum(p.numel() for p in model.parameters()))
    meta["test_correct"] = correct
    meta["test_accuracy"] = accuracy
    meta["min_top2_margin"] = min_margin
    if not a.no_timings:
        meta["train_seconds"] = round(t_train - t0, 2)
    _save_json(os.path.join(a.out, "meta.json"), meta)
    print("%s: held-out accuracy %d/%d = %.4f (min top-2 margin %.3f), %d parameters, trained in %.1f s"
          % (a.out, correct, len(y_test), accuracy, min_margin, meta["parameters"], t_train - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
