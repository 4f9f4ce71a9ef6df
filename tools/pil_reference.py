#!/usr/bin/python3
"""Test images and torchvision's preprocessing of them, the reference for org.resnet4j.vision.

For every generated image and for the presets v1 (resize 256) and v2 (resize 232) this runs what a
torchvision user runs:

    img = PIL.Image.open(path).convert("RGB")
    x = ImageClassification(crop_size=224, resize_size=R)(img)     # torchvision/transforms/_presets.py

Two output forms:

* committed fixtures (default, OUT = testdata/images): the images, and for each image and preset the
  224x224 crop that torchvision normalised, as an 8-bit RGB PNG (``expected/NAME.v1.png``), plus
  ``expected/normalize_table.npy`` [3, 256]: torchvision's ToTensor+Normalize of every byte value per
  channel. ToTensor and Normalize act element by element, so table[c, crop[c, y, x]] IS torchvision's
  tensor; this script asserts that, bit for bit, for every image and preset before it writes anything.
  That keeps the fixtures small (a float tensor is 600 kB, its crop PNG a few kB).
* ``--full`` (the live test, into a temp dir): the same images, plus torchvision's float32 tensors as
  ``NAME.v1.npy`` and PIL's ``convert("RGB")`` as ``NAME.rgb.npy`` (float32 [H, W, 3]).

``manifest.json`` lists the images with PIL's mode and size, the versions and the seed.

Usage: /usr/bin/python3 tools/pil_reference.py [--full] [OUT]
"""
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
import PIL
import torch
import torchvision
from PIL import Image
from torchvision.transforms import functional as F
from torchvision.transforms._presets import ImageClassification

SEED = 20240601
PRESETS = {"v1": 256, "v2": 232}
CROP = 224
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


# ---------------------------------------------------------------------------------------------
# image content: deterministic, with sharp edges and fine detail (to exercise the resampler's
# rounding) but compressible, so that the committed PNGs stay small
# ---------------------------------------------------------------------------------------------

def pattern(w, h, seed, channels=3):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.empty((h, w, channels), dtype=np.uint8)
    for c in range(channels):
        # flat regions with hard edges (compress well, also after resampling) and a coarse ramp
        base = rng.uniform(60, 190) + 16 * np.floor(x * rng.uniform(2, 6) / max(w, 1))
        checker = (((x // (5 + c)) + (y // (3 + 2 * c))) % 2) * 40
        v = base + checker - 20
        out[..., c] = np.clip(np.rint(v), 0, 255).astype(np.uint8)
    # a few hard-edged discs and a 1-pixel grid
    for i in range(4):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, max(3, min(w, h) / 3))
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        out[mask] = rng.integers(0, 256, size=channels, dtype=np.uint8)
    out[:, ::17] = 255 - out[:, ::17]
    out[::13, :] = 0
    # one patch of fine detail (xor texture): the resampler's rounding shows most there
    ph, pw = min(h, 40), min(w, 40)
    tex = ((x[:ph, :pw].astype(np.int64) * 37) ^ (y[:ph, :pw].astype(np.int64) * 91)) & 0xFF
    out[:ph, :pw] = tex[..., None].astype(np.uint8)
    return out


def big_pattern(w, h):
    """Large but very compressible: smooth gradients and hard-edged bands."""
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // (w - 1)).astype(np.uint8)
    g = (y * 255 // (h - 1)).astype(np.uint8)
    b = np.where(((x // 97) + (y // 61)) % 2 == 0, 30, 220).astype(np.uint8)
    b[:, 1000:1003] = 255
    g[700:702, :] = 0
    return np.stack([r, g, b], axis=-1)


def write_png(path, w, h, colour_type, bit_depth, rows):
    """A minimal PNG writer for what PIL cannot save (16-bit RGB, 16-bit gray+alpha)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def make_images(out):
    """Writes the test images; returns their file names in order."""
    names = []

    def save(name, im, **kw):
        im.save(os.path.join(out, name), **kw)
        names.append(name)

    rgb = lambda w, h, s: Image.fromarray(pattern(w, h, s), "RGB")
    # PNG, every mode PIL opens, odd sizes
    save("rgb_wide.png", rgb(457, 271, 1), optimize=True)
    save("rgb_tall.png", rgb(239, 417, 2), optimize=True)
    save("rgb_tiny.png", rgb(7, 5, 3))                       # upscaling: filter support 1
    save("rgb_exact256.png", rgb(256, 301, 4), optimize=True)  # v1: size unchanged, resize skipped
    big = Image.fromarray(big_pattern(2400, 1601), "RGB")    # > 2000 px
    save("rgb_big.png", big, optimize=True)
    rgba = pattern(301, 253, 6, channels=4)
    rgba[::3, ::5, 3] = 0                                    # transparent pixels keep their colour in PIL
    save("rgba.png", Image.fromarray(rgba, "RGBA"), optimize=True)
    save("gray.png", Image.fromarray(pattern(283, 250, 7, channels=1)[..., 0], "L"), optimize=True)
    save("gray_tiny.png", Image.fromarray(pattern(5, 9, 8, channels=1)[..., 0], "L"))
    save("gray_alpha.png", Image.fromarray(pattern(260, 300, 9, channels=2), "LA"), optimize=True)
    pal = rgb(300, 241, 10).quantize(colors=61, method=Image.Quantize.MEDIANCUT)
    save("palette.png", pal, transparency=5, optimize=True)
    save("bilevel.png", Image.fromarray(pattern(230, 190, 11, channels=1)[..., 0] > 128).convert("1"), optimize=True)
    g16 = (pattern(240, 260, 12, channels=1)[..., 0].astype(np.uint16) * 3)  # 0..765: PIL clips at 255
    save("gray16.png", Image.fromarray(g16.astype(np.uint16), "I;16"))
    p8 = pattern(171, 149, 13, channels=4).astype(">u2")
    p16 = p8 * 256 + (p8 ^ 0x5A)                             # PIL keeps the high byte
    write_png(os.path.join(out, "rgb16.png"), 171, 149, 2, 16, [r[:, :3].tobytes() for r in p16])
    names.append("rgb16.png")
    write_png(os.path.join(out, "rgba16.png"), 171, 149, 6, 16, [r.tobytes() for r in p16])
    names.append("rgba16.png")
    write_png(os.path.join(out, "gray_alpha16.png"), 171, 149, 4, 16, [r[:, :2].tobytes() for r in p16])
    names.append("gray_alpha16.png")
    # other lossless formats
    save("rgb.bmp", rgb(151, 97, 14))
    save("palette.bmp", rgb(131, 117, 15).quantize(colors=200))
    frame0 = rgb(257, 239, 16).quantize(colors=128)
    frame1 = rgb(257, 239, 17).quantize(colors=128)
    save("anim.gif", frame0, save_all=True, append_images=[frame1], duration=100, loop=0)
    save("lossless.webp", rgb(243, 251, 18), lossless=True)
    # lossy formats: decoders may differ from libjpeg / libwebp
    save("photo420.jpg", rgb(300, 200, 19), quality=90)
    save("photo444.jpg", rgb(190, 250, 20), quality=90, subsampling=0)
    save("progressive.jpg", rgb(280, 190, 21), quality=85, progressive=True)
    save("gray.jpg", Image.fromarray(pattern(200, 260, 22, channels=1)[..., 0], "L"), quality=90)
    save("cmyk.jpg", rgb(220, 180, 23).convert("CMYK"), quality=90)
    save("lossy.webp", rgb(240, 180, 24), quality=90)
    return names


# ---------------------------------------------------------------------------------------------

def normalize_table():
    """torchvision's ToTensor + Normalize of every byte value, per channel: float32 [3, 256]."""
    ramp = Image.fromarray(np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2), "RGB")
    t = F.convert_image_dtype(F.pil_to_tensor(ramp), torch.float)
    t = F.normalize(t, mean=list(MEAN), std=list(STD))
    return t[:, 0, :].numpy().astype(np.float32)


def crop_of(img, resize):
    """The uint8 crop torchvision normalises (resize + center crop on the PIL path), [H, W, 3]."""
    r = F.resize(img, [resize], interpolation=F.InterpolationMode.BILINEAR)
    return np.asarray(F.center_crop(r, [CROP]))


def npy_save(path, arr):
    with open(path, "wb") as f:
        np.save(f, np.ascontiguousarray(arr))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    full = "--full" in sys.argv[1:]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "testdata", "images")
    torch.set_num_threads(2)
    os.makedirs(out, exist_ok=True)
    expected = os.path.join(out, "expected")
    os.makedirs(expected, exist_ok=True)
    names = make_images(out)
    table = normalize_table()
    manifest = {
        "generator": "tools/pil_reference.py",
        "seed": SEED,
        "torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": PIL.__version__,
        "presets": PRESETS, "crop": CROP, "mean": MEAN, "std": STD,
        "images": [],
    }
    for name in names:
        path = os.path.join(out, name)
        with Image.open(path) as opened:
            mode, size = opened.mode, opened.size
            img = opened.convert("RGB")
        lossy = name.endswith(".jpg") or name == "lossy.webp"
        entry = {"file": name, "pil_mode": mode, "width": size[0], "height": size[1], "bytes": os.path.getsize(path)}
        if full:
            npy_save(os.path.join(out, name + ".rgb.npy"), np.asarray(img).astype(np.float32))
        for preset, resize in PRESETS.items():
            tensor = ImageClassification(crop_size=CROP, resize_size=resize)(img).numpy()
            crop = crop_of(img, resize)
            encoded = table[np.arange(3)[:, None, None], crop.transpose(2, 0, 1)]
            if tensor.dtype != np.float32 or not np.array_equal(tensor, encoded):
                raise SystemExit(f"{name} {preset}: torchvision's tensor is not table[crop]; the fixture form is wrong")
            if full:
                npy_save(os.path.join(out, f"{name}.{preset}.npy"), tensor)
            elif preset == "v1" or not lossy:  # lossy decoders differ anyway: one preset is enough
                Image.fromarray(crop, "RGB").save(os.path.join(expected, f"{name}.{preset}.png"), optimize=True)
        manifest["images"].append(entry)
    npy_save(os.path.join(expected, "normalize_table.npy"), table)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {len(names)} images and their torchvision preprocessing ({', '.join(PRESETS)}) to {out}")


if __name__ == "__main__":
    main()
