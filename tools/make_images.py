#!/usr/bin/python3
"""Photo-like test images for the Spark tests and the throughput benchmark.

Writes --count JPEGs of --width x --height into --out-dir (nested two levels deep, so that readers
must recurse): each is a smooth random colour field with random ellipses and noise, numpy seeded
with --seed, saved by Pillow at quality 90 (4:2:0). (The broken files of the fault tests are
written by the tests themselves: BatchJobTest.)

Deterministic for a given Pillow/numpy. Files are written to a temporary name and renamed.

Examples:
    /usr/bin/python3 tools/make_images.py --count 8 --width 96 --height 72 --out-dir /tmp/imgs
    /usr/bin/python3 tools/make_images.py --count 500 --width 640 --height 480 --out-dir /tmp/bench500
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image


def _atomic(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), ".tmp-" + os.path.basename(path))
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def photo(rng, width, height):
    """A smooth colour field (bilinear upsampling of a coarse random grid), ellipses, mild noise."""
    coarse = rng.uniform(0, 255, size=(4, 5, 3)).astype(np.float32)
    ys = np.linspace(0, coarse.shape[0] - 1, height)
    xs = np.linspace(0, coarse.shape[1] - 1, width)
    y0 = np.floor(ys).astype(int).clip(0, coarse.shape[0] - 2)
    x0 = np.floor(xs).astype(int).clip(0, coarse.shape[1] - 2)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    a = coarse[y0][:, x0]
    b = coarse[y0][:, x0 + 1]
    c = coarse[y0 + 1][:, x0]
    d = coarse[y0 + 1][:, x0 + 1]
    img = (a * (1 - fy) * (1 - fx) + b * (1 - fy) * fx + c * fy * (1 - fx) + d * fy * fx)
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(int(rng.integers(2, 6))):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(height / 10, height / 3), rng.uniform(width / 10, width / 3)
        mask = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        img[mask] = rng.uniform(0, 255, size=3)
    img += rng.normal(0, 6, size=img.shape)
    return Image.fromarray(img.clip(0, 255).astype(np.uint8), "RGB")


def jpeg_bytes(image):
    import io
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate photo-like JPEGs for the Spark tests and benchmark.")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    for i in range(a.count):
        sub = os.path.join(a.out_dir, "part%d" % (i % 3), "set%d" % (i % 2))
        _atomic(os.path.join(sub, "img%04d.jpg" % i), jpeg_bytes(photo(rng, a.width, a.height)))
    print("wrote %d images to %s" % (a.count, a.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
