#!/usr/bin/env python3
"""ONNX's backend node test cases for the ops the Java engine registers, for the conformance test.

Usage (Debian's python3-onnx 1.12):  /usr/bin/python3 tools/make_node_tests.py OUT_DIR OP [OP...]

Debian ships ONNX's test-case generators (onnx.backend.test.case.node) but not the data they make.
This script runs the generators for the given op types and writes, per case, ONNX's own layout:
    OUT_DIR/<case>/model.onnx
    OUT_DIR/<case>/test_data_set_0/input_<i>.pb, output_<i>.pb   (TensorProto)
A case is kept when every node in its graph (the op's own case and its function-expanded twin)
is one of the given op types. OUT_DIR/cases.txt lists the cases written, one per line.
The cases are deterministic: ONNX seeds numpy with 0 before each generator.
"""
import os
import shutil
import sys

import numpy as np

# numpy 1.24 removed these aliases; ONNX 1.12's generators still use them
for alias, value in (("float", float), ("int", int), ("bool", bool), ("object", object), ("str", str)):
    if alias not in np.__dict__:
        setattr(np, alias, value)

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from onnx.backend.test.case import node as node_cases  # noqa: E402


def tensor(value, name):
    if isinstance(value, list):
        raise TypeError("sequence value")
    if value is None:
        raise TypeError("optional value")
    return numpy_helper.from_array(np.asarray(value), name)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    ops = set(sys.argv[2:])
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    cases = []
    seen = set()
    # None: every generator's cases (collect_testcases imports the generators only once)
    for case in node_cases.collect_testcases(None):
        if case.name in seen:
            continue
        seen.add(case.name)
        model = case.model
        if True:
            if any(n.op_type not in ops or n.domain not in ("", "ai.onnx") for n in model.graph.node):
                continue
            inputs, outputs = case.data_sets[0]
            d = os.path.join(tmp, case.name)
            data = os.path.join(d, "test_data_set_0")
            os.makedirs(data)
            with open(os.path.join(d, "model.onnx"), "wb") as f:
                f.write(model.SerializeToString())
            try:
                for kind, values, infos in (("input", inputs, model.graph.input), ("output", outputs, model.graph.output)):
                    for i, (v, info) in enumerate(zip(values, infos)):
                        with open(os.path.join(data, "%s_%d.pb" % (kind, i)), "wb") as f:
                            f.write(tensor(v, info.name).SerializeToString())
            except TypeError as e:
                # sequence/optional values: kept, the test refuses them by reading the model's types
                with open(os.path.join(d, "NOT_TENSOR"), "w") as f:
                    f.write(str(e) + "\n")
            cases.append(case.name)
    with open(os.path.join(tmp, "cases.txt"), "w") as f:
        f.write("# onnx %s, numpy %s\n" % (onnx.__version__, np.__version__))
        f.write("".join(c + "\n" for c in sorted(cases)))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    print("%d cases for %d ops in %s" % (len(cases), len(ops), out))


if __name__ == "__main__":
    main()
