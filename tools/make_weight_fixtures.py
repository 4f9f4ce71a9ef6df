#!/usr/bin/env python3
"""Generate the checkpoint fixtures for org.resnet4j.weights tests.

Run with Debian's torch:  /usr/bin/python3 tools/make_weight_fixtures.py
Live mode (used by the Java tests, writes nothing into testdata/):
    /usr/bin/python3 tools/make_weight_fixtures.py --live OUT_DIR ARCH
saves a seeded torchvision ARCH state_dict as OUT_DIR/{zip.pth, legacy.pth, fp16.pth, st.safetensors}
and OUT_DIR/hashes.json: key -> SHA-256 of t.float() as little-endian float32 bytes.
Writes small files into testdata/weights/ (total well under 1 MB) plus, for every readable
fixture, <name>.expected.json: for each tensor key, its shape, torch dtype and the float32 bit
patterns of `t.float()` in C order, so the Java tests compare every value exactly.
meta.json records the torch version and the seed.
"""
import hashlib
import json
import os
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch

SEED = 1234
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "weights")


def out(name):
    return os.path.join(ROOT, name)


def expected(name, sd):
    """Writes name.expected.json: key -> shape, dtype, bits of t.float() (C order)."""
    entries = OrderedDict()
    for k, t in sd.items():
        f = t.detach().float().contiguous().reshape(-1).numpy()
        bits = f.view(np.uint32).tolist()
        entries[k] = {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "bits": bits}
    with open(out(name + ".expected.json"), "w") as fh:
        json.dump(entries, fh, separators=(",", ":"))
        fh.write("\n")


def views_state_dict():
    big = torch.randn(10, 6)
    shared = torch.randn(20)
    sd = OrderedDict()
    sd["plain.weight"] = torch.randn(3, 4)
    sd["transposed"] = torch.randn(4, 5).t()  # strides (1, 5)
    sd["slice"] = big[2:5, 1:4]  # offset 13, strides (6, 1)
    sd["row"] = big[7]  # contiguous, offset 42: zero-copy with an offset
    sd["shared_a"] = shared[:10]
    sd["shared_b"] = shared[5:15].view(2, 5)  # shares storage with shared_a
    sd["expanded"] = torch.randn(3, 1).expand(3, 4)  # stride 0
    sd["permuted"] = torch.randn(2, 3, 4).permute(2, 0, 1)
    sd["scalar"] = torch.tensor(3.5)
    sd["empty"] = torch.zeros(0, 3)
    sd["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.long)
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2))  # _rebuild_parameter
    return sd


SPECIAL = [0.0, -0.0, 1.0, -2.5, float("inf"), float("-inf"), float("nan"), 65504.0, 6e-8, -6e-8, 1e-5, 3.14159]


def typed_state_dict(dtype):
    sd = OrderedDict()
    sd["special"] = torch.tensor(SPECIAL, dtype=torch.float64).to(dtype)
    sd["random"] = (torch.randn(5, 7, dtype=torch.float64) * 10).to(dtype)
    sd["random_t"] = (torch.randn(3, 4, dtype=torch.float64)).to(dtype).t()
    if dtype == torch.float64:
        # rounding and overflow of the float64 -> float32 narrowing
        sd["narrowing"] = torch.tensor([1e39, -1e300, 1e-40, 1e-46, 0.1, 1.0 + 2 ** -24, 1.0 + 3 * 2 ** -24,
                                        16777217.0, 3.4028235677973366e38], dtype=torch.float64)
    if dtype == torch.float16:
        sd["subnormals"] = torch.arange(0, 1024, dtype=torch.int16).view(torch.float16)
        sd["all_bits"] = torch.arange(-32768, 32768, 64, dtype=torch.int32).to(torch.int16).view(torch.float16)
    if dtype == torch.bfloat16:
        sd["all_bits"] = torch.arange(-32768, 32768, 61, dtype=torch.int32).to(torch.int16).view(torch.bfloat16)
    return sd


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/resnet4j-pwned",))


def write_safetensors(path, tensors, metadata):
    dtypes = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
              torch.int64: "I64"}
    header = OrderedDict()
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for k, t in tensors.items():
        t = t.contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        if t.dtype == torch.bfloat16 and t.numel():
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        header[k] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(hb)))
        fh.write(hb)
        for b in blobs:
            fh.write(b)


def repack_deflated(src, dst):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, zin.read(info.filename))


def main():
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    os.makedirs(ROOT, exist_ok=True)

    sd = views_state_dict()
    torch.save(sd, out("views.pth"))
    expected("views", sd)
    # same state dict, pre-1.6 layout
    torch.save(sd, out("views_legacy.pth"), _use_new_zipfile_serialization=False)
    repack_deflated(out("views.pth"), out("views_deflated.pth"))
    # protocol 4 brings FRAME, MEMOIZE, SHORT_BINUNICODE and STACK_GLOBAL
    torch.save(sd, out("views_p4.pth"), pickle_protocol=4)

    for name, dt in [("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64)]:
        tsd = typed_state_dict(dt)
        torch.save(tsd, out(name + ".pth"))
        expected(name, tsd)

    # A training checkpoint: DataParallel prefix, optimizer state with tensors, numbers and lists.
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 5))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = model(torch.randn(2, 3, 6, 6)).sum()
    loss.backward()
    opt.step()
    dp = torch.nn.DataParallel(model)
    msd = dp.state_dict()
    assert all(k.startswith("module.") for k in msd)
    ckpt = {"epoch": 5, "arch": "tiny", "best_acc1": 0.75, "big": 2 ** 70, "state_dict": msd,
            "optimizer": opt.state_dict(), "history": [1.5, (2, "x"), None, True, b"bytes"]}
    torch.save(ckpt, out("nested.pth"))
    expected("nested", OrderedDict((k[len("module."):], v) for k, v in msd.items()))

    # 'model' and 'model_ema' both present; torch.compile-style prefix on the EMA copy.
    sd_a = OrderedDict((k, torch.randn(3)) for k in ["fc.weight", "fc.bias"])
    sd_b = OrderedDict(("_orig_mod." + k, torch.randn(2)) for k in ["fc.weight", "fc.bias"])
    torch.save({"model_ema": sd_b, "model": sd_a, "step": 10}, out("two_models.pth"))
    expected("two_models.model", sd_a)
    expected("two_models.model_ema", OrderedDict((k[len("_orig_mod."):], v) for k, v in sd_b.items()))

    st = OrderedDict()
    st["_orig_mod.f32"] = torch.randn(3, 5)
    st["_orig_mod.f16"] = torch.tensor(SPECIAL, dtype=torch.float16)
    st["_orig_mod.bf16"] = torch.randn(4, dtype=torch.bfloat16)
    st["_orig_mod.f64"] = torch.randn(2, 3, dtype=torch.float64)
    st["_orig_mod.i64"] = torch.tensor([3, -4, 2 ** 40], dtype=torch.int64)
    st["_orig_mod.empty"] = torch.zeros(0, 2)
    write_safetensors(out("weights.safetensors"), st, {"format": "pt"})
    expected("weights", OrderedDict((k[len("_orig_mod."):], v) for k, v in st.items()))

    torch.save({"weight": torch.zeros(2), "payload": Evil()}, out("malicious.pth"))

    with open(out("views.pth"), "rb") as fh:
        data = fh.read()
    with open(out("truncated.pth"), "wb") as fh:
        fh.write(data[: len(data) // 2])
    with open(out("unknown.bin"), "wb") as fh:
        fh.write(b"GIF89a not a checkpoint at all\n")

    meta = {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0], "seed": SEED,
            "script": "tools/make_weight_fixtures.py"}
    with open(out("meta.json"), "w") as fh:
        json.dump(meta, fh, indent=2)
        fh.write("\n")
    total = sum(os.path.getsize(out(f)) for f in os.listdir(ROOT))
    print("wrote", len(os.listdir(ROOT)), "files,", total, "bytes, torch", torch.__version__)


def live(out_dir, arch):
    import torchvision

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, arch)()
    model.eval()
    sd = model.state_dict()
    os.makedirs(out_dir, exist_ok=True)
    torch.save(sd, os.path.join(out_dir, "zip.pth"))
    torch.save(sd, os.path.join(out_dir, "legacy.pth"), _use_new_zipfile_serialization=False)
    half = OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in sd.items())
    torch.save({"epoch": 1, "state_dict": OrderedDict(("module." + k, v) for k, v in half.items())},
               os.path.join(out_dir, "fp16.pth"))
    write_safetensors(os.path.join(out_dir, "st.safetensors"), sd, {"format": "pt"})

    def digest(d):
        return OrderedDict((k, hashlib.sha256(v.float().contiguous().numpy().astype("<f4").tobytes()).hexdigest())
                           for k, v in d.items())

    with open(os.path.join(out_dir, "hashes.json"), "w") as fh:
        json.dump({"fp32": digest(sd), "fp16": digest(half), "torch": torch.__version__}, fh)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--live":
        live(sys.argv[2], sys.argv[3])
    else:
        main()
