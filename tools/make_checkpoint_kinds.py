#!/usr/bin/env python3
"""Save one seeded torchvision ResNet as every kind of checkpoint people have, with its logits.

Usage (Debian's torch 1.13):
    /usr/bin/python3 tools/make_checkpoint_kinds.py --arch resnet18 --out-dir DIR [--seed 7]
        [--num-classes N] [--height 64 --width 64 --batch 2]

Writes into DIR, each loadable by resnet4j with only --weights:
    legacy.pth      torch.save(sd, _use_new_zipfile_serialization=False): the pre-1.6 format
    training.pth    a torchvision-references-style training checkpoint: {'model': DataParallel state_dict
                    ('module.' prefix), 'optimizer' (SGD momentum state), 'lr_scheduler', 'epoch',
                    'args' (argparse.Namespace), 'best_acc1' (numpy float64), 'model_ema' (a second state_dict)}
    compiled.pth    a torch.compile-style state_dict ('_orig_mod.' prefix) inside {'state_dict': ...}
    lightning.ckpt  PyTorch Lightning's layout: {'epoch', 'global_step', 'pytorch-lightning_version',
                    'state_dict' ('model.' prefix), 'optimizer_states', 'lr_schedulers', 'callbacks',
                    'hyper_parameters'} (built by hand: Lightning is not a Debian package)
    fp16.pth, bf16.pth  the state_dict in float16 / bfloat16
    hf.safetensors  Hugging Face transformers names (ResNetForImageClassification), see make_hf_fixture.py
    input.npy       float32 input [batch, C, H, W]
    output.npy      torchvision's logits for the float32 weights
    output_fp16.npy, output_bf16.npy   torchvision's logits with the weights rounded to fp16 / bf16
    meta.json       torch version, seed, arguments
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resnet_torch  # noqa: E402
import make_hf_fixture  # noqa: E402


def logits(model, x):
    with torch.no_grad():
        return model(x).float().numpy()


def rounded(model, sd, dtype):
    """The state_dict in dtype, and the model's logits computed with those rounded weights."""
    low = OrderedDict((k, v.to(dtype) if v.is_floating_point() else v) for k, v in sd.items())
    back = OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in low.items())
    model.load_state_dict(back, strict=True)
    return low


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", default="resnet18")
    p.add_argument("--num-classes", type=int)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--height", type=int, default=64)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--out-dir", required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(2)
    os.makedirs(a.out_dir, exist_ok=True)
    out = lambda name: os.path.join(a.out_dir, name)  # noqa: E731

    model = resnet_torch.build_model(arch=a.arch, num_classes=a.num_classes)
    resnet_torch.randomize(model, a.seed)
    model.eval()
    # clone: state_dict() shares storage with the parameters, which rounded() overwrites later
    sd = OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
    g = torch.Generator().manual_seed(a.seed + 1)
    x = torch.randn(a.batch, 3, a.height, a.width, generator=g)
    np.save(out("input.npy"), x.numpy())
    np.save(out("output.npy"), logits(model, x))

    torch.save(sd, out("legacy.pth"), _use_new_zipfile_serialization=False)

    # A training step so that the optimizer holds real momentum tensors, ints and floats.
    train = resnet_torch.build_model(arch=a.arch, num_classes=a.num_classes)
    train.load_state_dict(sd)
    opt = torch.optim.SGD(train.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    train.train()
    train(torch.randn(2, 3, 32, 32, generator=g)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30)
    module_sd = OrderedDict(("module." + k, v) for k, v in sd.items())
    ema = OrderedDict((k, v.clone()) for k, v in sd.items())
    args = argparse.Namespace(model=a.arch, lr=0.1, epochs=90, data_path="/datasets/imagenet", amp=False)
    torch.save({"model": module_sd, "optimizer": opt.state_dict(), "lr_scheduler": sched.state_dict(),
                "epoch": 41, "args": args, "best_acc1": np.float64(71.25), "model_ema": ema}, out("training.pth"))

    torch.save({"state_dict": OrderedDict(("_orig_mod." + k, v) for k, v in sd.items()), "step": 1000},
               out("compiled.pth"))

    lightning = {
        "epoch": 9, "global_step": 12345, "pytorch-lightning_version": "2.1.0",
        "state_dict": OrderedDict(("model." + k, v) for k, v in sd.items()),
        "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 10, "completed": 9}}}},
        "callbacks": {"ModelCheckpoint{'monitor': 'val_acc', 'mode': 'max'}": {
            "monitor": "val_acc", "best_model_score": torch.tensor(0.7125), "best_model_path": "/ckpt/best.ckpt",
            "current_score": torch.tensor(0.70), "dirpath": "/ckpt", "best_k_models": {}, "kth_best_model_path": "",
            "kth_value": torch.tensor(float("inf")), "last_model_path": ""}},
        "optimizer_states": [opt.state_dict()],
        "lr_schedulers": [sched.state_dict()],
        "hparams_name": "kwargs",
        "hyper_parameters": {"arch": a.arch, "lr": 0.1, "batch_size": 256, "milestones": [30, 60]},
    }
    torch.save(lightning, out("lightning.ckpt"))

    fp16 = rounded(model, sd, torch.float16)
    torch.save(fp16, out("fp16.pth"))
    np.save(out("output_fp16.npy"), logits(model, x))
    bf16 = rounded(model, sd, torch.bfloat16)
    torch.save(bf16, out("bf16.pth"))
    np.save(out("output_bf16.npy"), logits(model, x))
    model.load_state_dict(sd)

    hf = OrderedDict()
    for k, v in sd.items():
        name = make_hf_fixture.to_hf(k, True)
        if name is not None:
            hf[name] = v
    make_hf_fixture.write_safetensors(out("hf.safetensors"), hf)

    with open(out("meta.json"), "w") as f:
        json.dump({"torch": torch.__version__, "seed": a.seed, "arch": a.arch, "num_classes": a.num_classes,
                   "input": list(x.shape)}, f, indent=1)


if __name__ == "__main__":
    main()
