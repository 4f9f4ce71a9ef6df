#!/usr/bin/python3
"""torchvision's output for `resnet4j parity --torch`: a state dict, a block spec and an input in,
the model's output out. resnet4j ships this file (and resnet_torch.py) inside its jar and runs it
with the Python the user names (--python, default python3).

    python3 tools/torch_parity.py --weights W.pth --spec spec.json --input x.npy --output y.npy [--quantized]

W.pth holds torchvision's state_dict keys (resnet4j writes the checkpoint it read, after name
mapping); the model is built from the spec by resnet_torch.build_model and loaded with
load_state_dict(strict=True), so a missing or unexpected key fails here too. Prints one JSON line
(torch and torchvision versions, how the model was built, the quantized engine). Exits 4 with one
line on stderr when torch, torchvision or numpy cannot be imported.

--quantized: W.pth is a quantized torchvision ResNet as resnet4j reads it: each quantized tensor NAME
as its integers (int8 or uint8) with NAME_scale and NAME_zero_point beside it (per tensor: shape [],
per output channel: [C]), and fc's packed params as fc.weight / fc.bias. They are rebuilt into
torch's quantized tensors (torch._make_per_tensor/_per_channel_quantized_tensor: the same integers,
scales and zero points), and the model is made the way torchvision quantizes one: the quantizable
model for the spec, fuse_model, the engine's default qconfig, prepare, one calibration pass, convert;
then load_state_dict(strict=True) replaces every weight, bias, scale and zero point. The engine is
onednn where it can run the model, qnnpack for grouped convs (PyTorch 1.13's onednn cannot run them)
or when onednn is not built.
"""

import argparse
import json
import os
import sys

try:
    import numpy as np
    import torch
    import torchvision
except Exception as e:  # noqa: BLE001 - any import failure is reported the same way
    print(f"cannot import torch, torchvision and numpy: {type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(4)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_torch import build_model, construction  # noqa: E402

# State dict keys of a quantized tensor's parameters, as resnet4j hands them over.
SCALE, ZERO_POINT = "_scale", "_zero_point"


def quantized_engine(spec):
    """onednn where it can run the model, else qnnpack; None when this torch has neither."""
    engines = torch.backends.quantized.supported_engines
    if "onednn" in engines and spec.get("groups", 1) == 1:
        return "onednn"
    return "qnnpack" if "qnnpack" in engines else None


def quantized_state(plain):
    """torch's quantized tensors rebuilt from resnet4j's integers, scales and zero points."""
    state = {}
    for key, value in plain.items():
        if any(key.endswith(s) and key[: -len(s)] in plain for s in (SCALE, ZERO_POINT)):
            continue  # taken with its tensor below
        scale, zero_point = plain.get(key + SCALE), plain.get(key + ZERO_POINT)
        if scale is None:
            state[key] = value
        elif scale.dim() == 0:
            state[key] = torch._make_per_tensor_quantized_tensor(value, float(scale), int(zero_point))
        else:  # per output channel; torch keeps the scales in float64
            state[key] = torch._make_per_channel_quantized_tensor(value, scale.double(), zero_point, 0)
    # fc's weight and bias under their own names are nn.quantized.Linear's version-1 state dict,
    # which torch's loader still packs (a state dict without _metadata is read as version 1)
    return state


def quantized_model(spec, x, state):
    """The converted quantized model for spec with the checkpoint's state; its engine."""
    engine = quantized_engine(spec)
    if engine is None:
        sys.exit("this torch has no quantized engine that runs the model (needs onednn, or qnnpack for "
                 "grouped convs); supported: %s" % ", ".join(torch.backends.quantized.supported_engines))
    torch.backends.quantized.engine = engine
    model = build_model(spec=spec, quantizable=True)
    model.fuse_model(is_qat=False)
    model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        model(x[:1])  # observers need one pass before convert; load_state_dict replaces what they saw
    torch.ao.quantization.convert(model, inplace=True)
    model.load_state_dict(quantized_state(state), strict=True)
    return model, engine


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--quantized", action="store_true", help="the weights are a quantized ResNet's (see above)")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    with open(args.spec) as f:
        spec = json.load(f)
    state = torch.load(args.weights, map_location="cpu", weights_only=True)
    x = torch.from_numpy(np.ascontiguousarray(np.load(args.input), dtype=np.float32))
    engine = None
    if args.quantized:
        model, engine = quantized_model(spec, x, state)
    else:
        model = build_model(spec=spec)
        model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(x).numpy()
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, np.ascontiguousarray(y, dtype=np.float32))
    os.replace(tmp, args.output)
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__,
                      "construction": construction(model), "quantized_engine": engine}))


if __name__ == "__main__":
    main()
