#!/usr/bin/python3
"""Validate an ONNX file with ONNX's own checker (onnx 1.12, Debian) and print its signature.

    /usr/bin/python3 tools/check_onnx.py model.onnx [--json]

Runs onnx.checker.check_model(model, full_check=True) (structure + strict shape/type inference) and
prints ir_version, opset imports, producer, metadata_props keys, inputs and outputs with their
element types and shapes (symbolic dims by name). Exit status: 0 valid; 1 invalid or unreadable,
with the checker's message on stderr; 2 bad usage.

The file is never modified. (Beware: onnx 1.12's check_model(PATH, full_check=True) writes the
shape-inferred model back over PATH; this script passes the loaded ModelProto instead, and for a
model over 2 GB or with external data it checks the path but writes inference output to a temporary
file.)

Running the model (--run/--expect) is not offered: onnxruntime is not installed for Debian's python.
"""

import argparse
import json
import os
import sys
import tempfile

import onnx
from onnx import checker, shape_inference

MAX_PROTO = 2 ** 31 - 1


def _dims(value_info):
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    out = []
    for d in t.shape.dim:
        if d.HasField("dim_value"):
            out.append(d.dim_value)
        elif d.HasField("dim_param"):
            out.append(d.dim_param)
        else:
            out.append("?")
    return out


def _elem_type(value_info):
    return onnx.TensorProto.DataType.Name(value_info.type.tensor_type.elem_type)


def _uses_external_data(model):
    return any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)


def check(path):
    """Load and fully check path; returns (model, None) or (model or None, error message)."""
    try:
        # external data is not loaded: the signature needs none, and the checker reads it by path
        model = onnx.load(path, load_external_data=False)
    except Exception as e:  # DecodeError, OSError, ...
        return None, "cannot load %s: %s: %s" % (path, type(e).__name__, e)
    try:
        if _uses_external_data(model) or os.path.getsize(path) > MAX_PROTO:
            checker.check_model(os.path.abspath(path), full_check=False)  # C.check_model_path only
            with tempfile.TemporaryDirectory() as tmp:
                shape_inference.infer_shapes_path(os.path.abspath(path), os.path.join(tmp, "inferred.onnx"),
                                                  check_type=True, strict_mode=True)
        else:
            checker.check_model(model, full_check=True)
    except Exception as e:  # checker.ValidationError, shape_inference.InferenceError, ...
        return model, "%s: %s" % (type(e).__name__, e)
    return model, None


def describe(model):
    init_names = {t.name for t in model.graph.initializer}
    return {
        "ir_version": model.ir_version,
        "opset_import": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "producer": "%s %s" % (model.producer_name, model.producer_version),
        "metadata_props": {p.key: p.value for p in model.metadata_props},
        "inputs": [{"name": i.name, "type": _elem_type(i), "shape": _dims(i)}
                   for i in model.graph.input if i.name not in init_names],
        "outputs": [{"name": o.name, "type": _elem_type(o), "shape": _dims(o)} for o in model.graph.output],
        "nodes": len(model.graph.node),
        "initializers": len(model.graph.initializer),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Check an ONNX file with onnx.checker.check_model(full_check=True) and print its "
                    "IR version, opsets, inputs and outputs. Exit 0 if valid, 1 otherwise.")
    ap.add_argument("model", metavar="FILE.onnx", help="the ONNX model to check (never modified)")
    ap.add_argument("--json", action="store_true", help="print the description as JSON")
    a = ap.parse_args(argv)

    model, err = check(a.model)
    if model is not None:
        d = describe(model)
        d["valid"] = err is None
        if err is not None:
            d["error"] = err
        if a.json:
            print(json.dumps(d, indent=2))
        else:
            print("file:        %s" % a.model)
            print("ir_version:  %d" % d["ir_version"])
            print("opsets:      %s" % ", ".join("%s %d" % kv for kv in d["opset_import"].items()))
            print("producer:    %s" % d["producer"])
            if d["metadata_props"]:
                print("metadata:    %s" % ", ".join(sorted(d["metadata_props"])))
            print("nodes:       %d, initializers %d" % (d["nodes"], d["initializers"]))
            for kind in ("inputs", "outputs"):
                for io in d[kind]:
                    print("%-12s %s %s %s" % (kind[:-1] + ":", io["name"], io["type"], io["shape"]))
            print("valid:       %s" % ("yes" if err is None else "NO"))
    if err is not None:
        print("error: %s" % err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
