#!/usr/bin/python3
"""How much our int8 calibration (`resnet4j quantize`) changes a ResNet's answers: int8 against float,
both on ONNX Runtime, through ./resnet4j.

    1. a seeded torchvision ARCH: random float weights, BatchNorm weight and bias randomised as
       tools/quantized_reference.py does (so that folding them matters), BatchNorm's running mean and
       variance measured on CENTRING images, and fc's bias centring its input (both below); saved as
       a plain state_dict: WORK/float-ARCH-seedS.pth
    2. photo-like JPEGs (tools/make_images.py: smooth colour fields with ellipses and noise, 320x240),
       CALIBRATION of them for calibration, EVAL others for the comparison, CENTRING others (three
       seeds). Not noise: a random network's logits on white noise nearly tie (every image looks
       alike to it), so top-1 agreement would measure the ties.

    3. `resnet4j quantize --calibrate` per configuration (METHOD per channel, and --per-tensor ones)
    4. the EVAL images preprocessed by torchvision's own transforms (resize 256, centre crop 224,
       ImageNet mean and std, on PIL) in chunks, then `resnet4j run` on each chunk with the float
       checkpoint and with each int8 model (ONNX Runtime, --threads)

and prints, per configuration:
    top-1 agreement   int8's top-1 class equals float's
    top-5 agreement   float's top-1 class is among int8's top 5
    same top-5        int8's top-5 set equals float's (order ignored)
    relative error    ||int8 - float|| / ||float|| over the whole batch of logits (Frobenius)
with the float model's own spread (distinct top-1 classes, median top-1 margin over the logits' std)
so that a disagreement can be read against how close float's answers were. --json writes the lot.

Why the statistics are measured and fc centred: with random BatchNorm statistics (quantized_reference.py's,
kept with --random-bn-statistics) every layer adds a shift that no image undoes, and after ReLUs the
pooled features are mostly one direction shared by every image: for resnet50 seed 0 the part that
differs between images is 3.8% of them. fc then puts one class first for every image (500 of 500), and
once centred, 8-bit steps sized for the shared part swamp the rest: int8 keeps float's top-1 on 21-23%
of the images with our calibration and 13% with PyTorch's own (onednn qconfig, its histogram observer),
relative error 0.6 both. A trained network's BatchNorm statistics are its data's, which this step gives
it (running mean and variance over the CENTRING images, in train mode); fc's bias is then set to -W mu,
mu the mean pooled feature over the same images, as a trained classifier ignores what all images share.
The report gives how many distinct top-1 classes float finds, and its top-1 margins. With measured
statistics the differing part is 38% and int8 keeps 28-35% of top-1s, as PyTorch's own quantization
does on the same checkpoint (34% on the first 100): 1,000 random classes put the first only 0.25 logit
std ahead of the second (median), a margin no 8-bit ResNet-50 keeps on 97% of images (docs/PARITY.md).

Usage: /usr/bin/python3 tools/quantize_accuracy.py [--arch resnet50] [--seed 0] [--calibration 100]
           [--eval 500] [--centring 50] [--random-bn-statistics] [--methods minmax,percentile,entropy] [--per-tensor minmax] [--threads 2]
           [--chunk 50] [--min-top1 0.97] --work DIR [--launcher ./resnet4j] [--json FILE]
Exit 1 when a configuration's top-1 agreement is below --min-top1. WORK keeps the model, images and
outputs between runs (delete it to start over).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_images  # noqa: E402
from quantized_reference import randomise_batchnorm  # noqa: E402
from torch_reference import _save_npy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def float_checkpoint(arch, seed, path, centring, random_statistics):
    if os.path.exists(path):
        return
    torch.manual_seed(seed)
    model = getattr(torchvision.models, arch)(weights=None)
    randomise_batchnorm(model, torch.Generator().manual_seed(seed))
    if not random_statistics:
        measure_batchnorm_statistics(model, centring)
    model.eval()
    fc = model.fc
    model.fc = torch.nn.Identity()
    with torch.no_grad():
        mu = torch.cat([model(torch.from_numpy(np.load(c))) for c in centring]).mean(0)
        fc.bias.copy_(-(fc.weight @ mu))
    model.fc = fc
    torch.save(model.state_dict(), path + ".tmp")
    os.replace(path + ".tmp", path)


def measure_batchnorm_statistics(model, chunks):
    """Each BatchNorm's running mean and variance measured on images, as training leaves them (its
    weight and bias stay random): the cumulative average over the chunks, in train mode."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for c in chunks:
            model(torch.from_numpy(np.load(c)))
    for m in bns:
        m.momentum = 0.1
    model.eval()


def jpegs(directory, count, seed):
    if not os.path.isdir(directory):
        make_images.main(["--count", str(count), "--width", "320", "--height", "240", "--seed", str(seed),
                          "--out-dir", directory + ".tmp"])
        os.replace(directory + ".tmp", directory)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(directory) for f in fs if f.endswith(".jpg"))
    assert len(files) == count, "%s holds %d images, expected %d (delete it)" % (directory, len(files), count)
    return files


def preprocessed_chunks(files, chunk, work, name):
    """torchvision's IMAGENET1K_V1 transforms (what `quantize` and `classify` apply by default)."""
    t = torchvision.transforms.Compose([
        torchvision.transforms.Resize(256), torchvision.transforms.CenterCrop(224),
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    out = []
    for i in range(0, len(files), chunk):
        path = os.path.join(work, "%s-input-%04d.npy" % (name, i))
        if not os.path.exists(path):
            batch = torch.stack([t(Image.open(f).convert("RGB")) for f in files[i:i + chunk]])
            _save_npy(path, batch.numpy().astype(np.float32))
        out.append(path)
    return out


def resnet4j(launcher, *args):
    started = time.monotonic()
    p = subprocess.run([launcher, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("resnet4j %s failed (%d): %s" % (args[0], p.returncode, p.stderr.strip()[-2000:]))
    return time.monotonic() - started


def logits(launcher, model_args, chunks, name, work, threads):
    path = os.path.join(work, "logits-%s.npy" % name)
    if not os.path.exists(path):
        parts = []
        for i, chunk in enumerate(chunks):
            part = os.path.join(work, "logits-%s-%d.npy" % (name, i))
            resnet4j(launcher, "run", *model_args, "--input", chunk, "--output", part, "--engine", "ort",
                     "--threads", str(threads))
            parts.append(np.load(part))
            os.remove(part)
        np.save(path, np.concatenate(parts))
    return np.load(path)


def compare(q, f):
    top1_f = f.argmax(1)
    top5_q = np.argsort(-q, 1)[:, :5]
    top5_f = np.argsort(-f, 1)[:, :5]
    return {
        "top1": float((q.argmax(1) == top1_f).mean()),
        "top5": float(np.mean([top1_f[i] in top5_q[i] for i in range(len(f))])),
        "same_top5": float(np.mean([set(top5_q[i]) == set(top5_f[i]) for i in range(len(f))])),
        "relative_error": float(np.linalg.norm(q - f) / np.linalg.norm(f)),
        "disagreements": [int(i) for i in np.nonzero(q.argmax(1) != top1_f)[0]],
    }


def spread(f):
    s = np.sort(f, 1)
    margin = (s[:, -1] - s[:, -2]) / f.std(1)
    return {"distinct_top1": int(len(set(f.argmax(1).tolist()))),
            "median_margin_over_std": float(np.median(margin)),
            "margins_over_std": margin.tolist()}


def main(argv=None):
    ap = argparse.ArgumentParser(description="int8 (resnet4j quantize) against float: top-1, top-5, logits")
    ap.add_argument("--arch", default="resnet50")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calibration", type=int, default=100)
    ap.add_argument("--eval", type=int, default=500)
    ap.add_argument("--centring", type=int, default=50,
                    help="images that give BatchNorm's statistics and the mean pooled feature fc's bias removes")
    ap.add_argument("--random-bn-statistics", action="store_true",
                    help="keep quantized_reference.py's random BatchNorm statistics (the image-independent case)")
    ap.add_argument("--methods", default="minmax,percentile,entropy", help="calibrated with weights per channel")
    ap.add_argument("--per-tensor", default="minmax", help="methods also run with weights per tensor ('' for none)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=50, help="images per `resnet4j run` (ORT's activations grow with it)")
    ap.add_argument("--min-top1", type=float, default=0.97)
    ap.add_argument("--work", required=True)
    ap.add_argument("--launcher", default=os.path.join(ROOT, "resnet4j"))
    ap.add_argument("--json", help="write the results here")
    a = ap.parse_args(argv)
    os.makedirs(a.work, exist_ok=True)
    centring = preprocessed_chunks(jpegs(os.path.join(a.work, "centring%d" % a.centring), a.centring, 3000 + a.seed),
                                   a.chunk, a.work, "centring")
    weights = os.path.join(a.work, "float-%s-seed%d%s.pth" % (a.arch, a.seed, "-random-bn" if a.random_bn_statistics else ""))
    float_checkpoint(a.arch, a.seed, weights, centring, a.random_bn_statistics)
    tag = os.path.basename(weights)[:-len(".pth")]
    cal_dir = os.path.join(a.work, "calibration%d" % a.calibration)
    jpegs(cal_dir, a.calibration, 1000 + a.seed)
    chunks = preprocessed_chunks(jpegs(os.path.join(a.work, "eval%d" % a.eval), a.eval, 2000 + a.seed), a.chunk,
                                 a.work, "eval")
    f = logits(a.launcher, ["--weights", weights, "--arch", a.arch], chunks, tag, a.work, a.threads)
    configs = [(m, True) for m in a.methods.split(",") if m] + [(m, False) for m in a.per_tensor.split(",") if m]
    report = {"arch": a.arch, "seed": a.seed, "calibration_images": a.calibration, "eval_images": a.eval,
              "float": spread(f), "int8": []}
    print("%s seed %d: float top-1 over %d images: %d distinct classes, median top-1 margin %.2f logit std"
          % (a.arch, a.seed, a.eval, report["float"]["distinct_top1"], report["float"]["median_margin_over_std"]))
    failed = False
    for method, per_channel in configs:
        name = "%s-%s" % (method, "per-channel" if per_channel else "per-tensor")
        model = os.path.join(a.work, "%s-int8-%s-cal%d.onnx" % (tag, name, a.calibration))
        seconds = None
        if not os.path.exists(model):
            seconds = resnet4j(a.launcher, "quantize", "--weights", weights, "--arch", a.arch, "--calibrate", cal_dir,
                               "--method", method, *(["--per-channel"] if per_channel else []),
                               "--threads", str(a.threads), "--out", model)
        q = logits(a.launcher, ["--model", model], chunks, "%s-int8-%s-cal%d" % (tag, name, a.calibration), a.work,
                   a.threads)
        r = {"method": method, "per_channel": per_channel, "quantize_seconds": seconds, **compare(q, f)}
        report["int8"].append(r)
        failed |= r["top1"] < a.min_top1
        print("  %-22s top-1 %5.1f%%  top-5 %5.1f%%  same top-5 %5.1f%%  relative error %.4f  (disagree on %s)"
              % (name, 100 * r["top1"], 100 * r["top5"], 100 * r["same_top5"], r["relative_error"],
                 ", ".join(str(i) for i in r["disagreements"][:10]) or "none"))
    if a.json:
        with open(a.json, "w") as out:
            json.dump(report, out, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
