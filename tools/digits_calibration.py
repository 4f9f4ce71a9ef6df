#!/usr/bin/python3
"""The digits demo model's training images, the calibration set for quantizing it (tools/train_digits.py's
own split and preprocessing, so the held-out images in testdata/digits stay unseen).

Usage: /usr/bin/python3 tools/digits_calibration.py OUT.npy [--seed 7]   -> float32 [N, 1, 8, 8]
"""
import argparse
import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import _save_npy  # noqa: E402
from train_digits import preprocess  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description="the digits model's training images")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7, help="train_digits.py's seed (default 7)")
    a = ap.parse_args(argv)
    digits = load_digits()
    x = preprocess(digits.data)
    y = digits.target.astype(np.int64)
    idx_train, _ = train_test_split(np.arange(len(y)), test_size=0.3, random_state=a.seed, stratify=y)
    _save_npy(a.out, x[idx_train].astype(np.float32))
    print(len(idx_train), "training images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
