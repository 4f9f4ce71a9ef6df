#!/usr/bin/python3
"""Small quantized checkpoints for the reader's unit tests: testdata/quantized/.

Valid ones, with what torch says they hold (expected.json: integers, scales, zero points):
    per_tensor.pth      {"conv1.weight": quantize_per_tensor(qint8)}
    per_channel.pth     {"conv1.weight": quantize_per_channel(qint8, axis 0)}
    quint8.pth          {"x": quantize_per_tensor(quint8)}
    packed_linear.pth   nn.quantized.Linear(3, 2).state_dict() under "fc.": _packed_params (weight, bias), dtype
Hostile ones, each built with torch's own constructors (which do not check) and saved by torch.save;
expected.json gives the words the error must contain:
    scale_zero, scale_nan, scale_negative, zero_point_out_of_range, channel_scale_zero,
    axis_one (valid for torch, refused by us: weights are quantized per output channel), qint32

Usage: /usr/bin/python3 tools/make_quantized_fixtures.py [OUT_DIR]   (default testdata/quantized)
"""
import json
import os
import sys

import torch


def main(argv):
    out = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "quantized")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    w = torch.randn(4, 3, 1, 1)
    expected = {}

    def save(name, sd, **info):
        torch.save(sd, os.path.join(out, name + ".pth"))
        expected[name] = info

    q = torch.quantize_per_tensor(w, 0.05, 3, torch.qint8)
    save("per_tensor", {"conv1.weight": q}, key="conv1.weight", ints=q.int_repr().flatten().tolist(),
         scale=q.q_scale(), zero_point=q.q_zero_point(), shape=list(q.shape))
    scales = torch.tensor([0.01, 0.02, 0.03, 0.04], dtype=torch.double)
    zps = torch.tensor([0, 1, -2, 5])
    q = torch.quantize_per_channel(w, scales, zps, 0, torch.qint8)
    save("per_channel", {"conv1.weight": q}, key="conv1.weight", ints=q.int_repr().flatten().tolist(),
         scales=q.q_per_channel_scales().tolist(), zero_points=q.q_per_channel_zero_points().tolist(),
         shape=list(q.shape))
    q = torch.quantize_per_tensor(torch.rand(2, 3) * 4, 0.02, 128, torch.quint8)
    save("quint8", {"x": q}, key="x", ints=q.int_repr().flatten().tolist(), scale=q.q_scale(),
         zero_point=q.q_zero_point(), shape=list(q.shape))
    torch.backends.quantized.engine = "qnnpack"
    lin = torch.nn.quantized.Linear(3, 2)
    lin.set_weight_bias(torch.quantize_per_tensor(torch.randn(2, 3), 0.1, 0, torch.qint8), torch.tensor([0.5, -1.0]))
    sd = {"fc." + k: v for k, v in lin.state_dict().items()}
    wq = lin.weight()
    save("packed_linear", sd, key="fc.weight", ints=wq.int_repr().flatten().tolist(), scale=wq.q_scale(),
         zero_point=wq.q_zero_point(), bias=[0.5, -1.0], shape=[2, 3])

    ir = torch.randint(-5, 5, (4, 3, 1, 1), dtype=torch.int8)

    def per_tensor(scale, zp):
        return torch._make_per_tensor_quantized_tensor(ir, scale, zp)

    def per_channel(sc, zp, axis=0):
        return torch._make_per_channel_quantized_tensor(ir, torch.tensor(sc, dtype=torch.double), torch.tensor(zp), axis)

    save("scale_zero", {"conv1.weight": per_tensor(0.0, 0)}, error="quantization scale 0.0")
    save("scale_nan", {"conv1.weight": per_tensor(float("nan"), 0)}, error="quantization scale NaN")
    save("scale_negative", {"conv1.weight": per_tensor(-0.5, 0)}, error="quantization scale -0.5")
    save("zero_point_out_of_range", {"conv1.weight": per_tensor(0.1, 300)}, error="zero point 300, outside qint8")
    save("channel_scale_zero", {"conv1.weight": per_channel([0.1, 0.0, 0.1, 0.1], [0] * 4)},
         error="channel 1' has quantization scale 0.0")
    save("channel_zero_point_out_of_range", {"conv1.weight": per_channel([0.1] * 4, [0, 0, -129, 0])},
         error="zero point -129, outside qint8")
    save("axis_out_of_range", {"conv1.weight": per_channel([0.1] * 4, [0] * 4, 7)}, error="along axis 7")
    save("scales_wrong_length", {"conv1.weight": per_channel([0.1] * 3, [0] * 3)}, error="[3] scales")
    save("axis_one", {"conv1.weight": per_channel([0.1] * 3, [0] * 3, 1)}, error="per output channel (axis 0)")
    save("qint32", {"x": torch.quantize_per_tensor(torch.randn(3), 0.1, 0, torch.qint32)},
         error="reads qint8 and quint8")
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "files": expected}, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", len(expected), "fixtures to", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
