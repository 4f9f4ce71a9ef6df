#!/usr/bin/python3
"""torchvision's output for `resnet4j parity --torch`: a state dict, a block spec and an input in,
the model's output out. resnet4j ships this file (and resnet_torch.py) inside its jar and runs it
with the Python the user names (--python, default python3).

    python3 tools/torch_parity.py --weights W.pth --spec spec.json --input x.npy --output y.npy

W.pth holds torchvision's state_dict keys (resnet4j writes the checkpoint it read, after name
mapping); the model is built from the spec by resnet_torch.build_model and loaded with
load_state_dict(strict=True), so a missing or unexpected key fails here too. Prints one JSON line
(torch and torchvision versions, how the model was built). Exits 4 with one line on stderr when
torch, torchvision or numpy cannot be imported.
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    with open(args.spec) as f:
        spec = json.load(f)
    model = build_model(spec=spec)
    state = torch.load(args.weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = np.load(args.input)
    with torch.no_grad():
        y = model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).numpy()
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, np.ascontiguousarray(y, dtype=np.float32))
    os.replace(tmp, args.output)
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__,
                      "construction": construction(model)}))


if __name__ == "__main__":
    main()
