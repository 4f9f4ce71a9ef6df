#!/usr/bin/python3
"""torchvision's answer for `resnet4j classify`: the reference for the live classify test.

For each image, exactly what a torchvision user runs:

    model = torchvision.models.<arch>(weights=None); model.load_state_dict(torch.load(weights)); model.eval()
    x = ImageClassification(crop_size=224, resize_size=R)(PIL.Image.open(path).convert("RGB"))
    p = torch.softmax(model(x[None]), dim=1); top = torch.topk(p, k)

and prints JSON in classify --json's shape (without labels):

    {"results": [{"image": PATH, "top": [{"index": I, "probability": P}, ...]}, ...]}

With --features F.npy it also writes the embeddings, what the model returns with
model.fc = nn.Identity(): float32 [N, D] in image order (the reference for `resnet4j embed`).

With --quantized ENGINE the weights are a quantized torchvision checkpoint (tools/quantized_reference.py)
and the model is built as torchvision.models.quantization builds it before loading quantized weights:

    model = torchvision.models.quantization.<arch>(weights=None, quantize=False); model.eval()
    model.fuse_model(); model.qconfig = get_default_qconfig(ENGINE); prepare(model); convert(model)
    model.load_state_dict(torch.load(weights))       # run by torch.backends.quantized.engine = ENGINE

A fine-tuned model's own transform replaces the preset with --resize R --crop C --mean M,M,M --std S,S,S
(ImageClassification(crop_size=C, resize_size=R, mean=..., std=...), bilinear as always).

Usage: /usr/bin/python3 tools/classify_reference.py --arch resnet18 --weights W.pth [--preset v1|v2]
       [--resize R --crop C --mean M,M,M --std S,S,S] [--top K] [--out FILE.json] [--features F.npy] [--quantized onednn|qnnpack|fbgemm] IMAGE...
"""
import argparse
import json
import sys

import torch
import torchvision
from PIL import Image
from torchvision.transforms._presets import ImageClassification

PRESETS = {"v1": 256, "v2": 232}


def quantized_model(arch, engine):
    """An empty quantized torchvision model for a quantized state_dict, as torchvision's quantize=True builds it."""
    import warnings
    from torch.ao.quantization import convert, get_default_qconfig, prepare
    # the observers never see data: their scales are placeholders, replaced by load_state_dict
    warnings.filterwarnings("ignore", message="must run observer before calling calculate_qparams")
    torch.backends.quantized.engine = engine
    model = getattr(torchvision.models.quantization, arch)(weights=None, quantize=False)
    model.eval()
    model.fuse_model(is_qat=False)
    model.qconfig = get_default_qconfig(engine)
    prepare(model, inplace=True)
    return convert(model, inplace=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="torchvision top-k for images (the classify reference).")
    ap.add_argument("--arch", required=True, help="torchvision builder name, e.g. resnet18")
    ap.add_argument("--weights", required=True, help="state_dict file (torch.save)")
    ap.add_argument("--preset", choices=list(PRESETS), default="v1")
    ap.add_argument("--resize", type=int, help="custom transform: shorter side after resizing")
    ap.add_argument("--crop", type=int, help="custom transform: center crop size")
    ap.add_argument("--mean", help="custom transform: three comma-separated channel means")
    ap.add_argument("--std", help="custom transform: three comma-separated channel stds")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--out", help="write the JSON here (default: standard output)")
    ap.add_argument("--features", help="also write the pooled features (fc = Identity) as float32 .npy")
    ap.add_argument("--quantized", choices=["onednn", "qnnpack", "fbgemm"],
                    help="the weights are torchvision's quantized model, made with this engine's qconfig")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    model = quantized_model(a.arch, a.quantized) if a.quantized else getattr(torchvision.models, a.arch)(weights=None)
    model.load_state_dict(torch.load(a.weights, map_location="cpu"))
    model.eval()
    if a.resize is not None:
        transform = ImageClassification(crop_size=a.crop, resize_size=a.resize,
                                        mean=[float(v) for v in a.mean.split(",")],
                                        std=[float(v) for v in a.std.split(",")])
    else:
        transform = ImageClassification(crop_size=224, resize_size=PRESETS[a.preset])
    results = []
    with torch.no_grad():
        for path in a.images:
            x = transform(Image.open(path).convert("RGB"))
            p = torch.softmax(model(x[None]), dim=1)[0]
            values, indices = torch.topk(p, a.top)
            results.append({"image": path, "top": [{"index": int(i), "probability": float(v)}
                                                   for v, i in zip(values, indices)]})
    if a.features:
        import numpy as np
        from torch_reference import _save_npy
        model.fc = torch.nn.Identity()
        with torch.no_grad():
            rows = [model(transform(Image.open(path).convert("RGB"))[None])[0].numpy() for path in a.images]
        _save_npy(a.features, np.stack(rows).astype(np.float32))
    text = json.dumps({"results": results}, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
