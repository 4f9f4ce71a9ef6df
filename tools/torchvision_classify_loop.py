#!/usr/bin/python3
"""The torchvision + PIL loop that `resnet4j classify` and `resnet4j embed` are measured against.

The work `classify` does, in the plainest PyTorch: every image file under the inputs (sorted, as
classify lists them) is opened with PIL and converted to RGB, preprocessed with torchvision's
Resize(256), CenterCrop(224), ToTensor, Normalize(ImageNet mean, std), stacked in batches of
--batch, run through a torchvision ResNet in eval mode under torch.no_grad(), and turned into
softmax top-k (classify) or into the pooled features (embed: model.fc = nn.Identity()). No
DataLoader workers: decoding and inference take turns on one Python thread, with
torch.set_num_threads(--threads) for the model.

Prints one line per image (path and top-k, or path and the feature norm) to stdout, and a summary
(images, seconds from the first file opened to the last result, images/s) to stderr. Whole-process
time and peak RSS are measured from outside (tools/bench_classify.sh runs it under /usr/bin/time -v).

Examples:
    /usr/bin/python3 tools/torchvision_classify_loop.py --arch resnet50 --weights w.pth /tmp/images
    /usr/bin/python3 tools/torchvision_classify_loop.py --mode embed --arch resnet50 --weights w.pth /tmp/images
"""
import argparse
import os
import sys
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms

EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def image_files(inputs):
    """Files named explicitly, and the image files under folders (recursively, sorted, hidden skipped)."""
    out = []
    for p in inputs:
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found += [os.path.join(root, f) for f in files
                          if not f.startswith(".") and f.lower().endswith(EXTENSIONS)]
            out += sorted(found)
        else:
            out.append(p)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="torchvision + PIL classify/embed loop (the benchmark's reference)")
    ap.add_argument("--arch", default="resnet50")
    ap.add_argument("--weights", required=True, help="a torch.save(state_dict) file")
    ap.add_argument("--mode", choices=["classify", "embed"], default="classify")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)

    model = getattr(torchvision.models, a.arch)()
    model.load_state_dict(torch.load(a.weights, map_location="cpu"))
    if a.mode == "embed":
        model.fc = torch.nn.Identity()
    model.eval()
    preprocess = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])

    files = image_files(a.inputs)
    out = sys.stdout
    t0 = time.perf_counter()
    with torch.no_grad():
        for start in range(0, len(files), a.batch):
            chunk = files[start:start + a.batch]
            batch = torch.stack([preprocess(Image.open(f).convert("RGB")) for f in chunk])
            y = model(batch)
            if a.mode == "classify":
                p, idx = torch.softmax(y, dim=1).topk(min(a.top, y.shape[1]), dim=1)
                for f, pr, ix in zip(chunk, p.tolist(), idx.tolist()):
                    out.write(f + " " + " ".join("%d:%.6f" % (i, q) for i, q in zip(ix, pr)) + "\n")
            else:
                for f, row in zip(chunk, y):
                    out.write("%s %d %.6f\n" % (f, row.shape[0], float(row.norm())))
    seconds = time.perf_counter() - t0
    print("torchvision %s %s: %d images in %.2f s = %.2f images/s (%d threads, batch %d)"
          % (a.mode, a.arch, len(files), seconds, len(files) / seconds, a.threads, a.batch), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
