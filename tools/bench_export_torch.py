#!/usr/bin/python3
"""Time PyTorch's own .pth -> .onnx path, the baseline for `resnet4j export`.

One repetition is, timed step by step:
    load    sd = torch.load(W.pth, map_location="cpu")
    build   model = torchvision.models.<arch>(weights=None, ...)      (tools/resnet_torch.py)
    bind    model.load_state_dict(sd, strict=True); model.eval()
    export  torch.onnx.export(model, x[1, C, 224, 224], M.onnx, opset_version=17,
                              input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "logits": {0: "N"}})
and the script prints seconds per step, per repetition and the best/median total, the peak RSS
(resource.getrusage(RUSAGE_SELF).ru_maxrss) and the whole-process figure: wall time from the
interpreter's start (from /proc/self/stat starttime, 10 ms resolution), which includes Python's
start-up and `import torch` -- comparable with the Java side, which is timed as a whole process.

For the exact outer figure, time the whole process the same way as the Java CLI:
    /usr/bin/time -v /usr/bin/python3 tools/bench_export_torch.py --arch resnet50 \\
        --weights /tmp/ref/resnet50/weights.pth --out /tmp/r50.onnx --repeat 1
    /usr/bin/time -v ./resnet4j export --arch resnet50 --weights /tmp/ref/resnet50/weights.pth --out /tmp/r50j.onnx
("Elapsed (wall clock) time" and "Maximum resident set size").  With --repeat 1 the in-script
whole-process figure and /usr/bin/time's should agree to within a few tens of ms.

Make a weights file with tools/torch_reference.py (e.g. --arch resnet50 --out-dir /tmp/ref/resnet50).
torch.set_num_threads(2) as in all tools/ scripts. Note that torch's exporter in eval mode folds
BatchNorm into the convolutions, so its initializers are not named after the state_dict keys.
"""

import time

_T_SCRIPT = time.time()  # before the heavy imports

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402

_T_IMPORTED = time.time()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_torch import PRESETS, SpecError, build_model  # noqa: E402

STEPS = ("load", "build", "bind", "export")


def process_start_epoch():
    """This process's start as a Unix time, from /proc (None where /proc is missing)."""
    try:
        with open("/proc/self/stat") as f:
            stat = f.read()
        starttime_ticks = int(stat[stat.rindex(")") + 2:].split()[19])  # field 22
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        hz = os.sysconf("SC_CLK_TCK")
        return time.time() - (uptime - starttime_ticks / hz)
    except (OSError, ValueError, IndexError):
        return None


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def run_once(a):
    t = {}
    t0 = time.perf_counter()
    sd = torch.load(a.weights, map_location="cpu")
    t1 = time.perf_counter()
    model = build_model(a.arch, a.spec, a.num_classes, a.in_channels)
    t2 = time.perf_counter()
    model.load_state_dict(sd, strict=True)
    model.eval()
    t3 = time.perf_counter()
    x = torch.zeros(1, model.resnet4j_spec["in_channels"], 224, 224)
    with torch.no_grad():
        torch.onnx.export(model, x, a.out, opset_version=a.opset, input_names=["input"],
                          output_names=["logits"],
                          dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "logits": {0: "N"}})
    t4 = time.perf_counter()
    t.update(load=t1 - t0, build=t2 - t1, bind=t3 - t2, export=t4 - t3, total=t4 - t0)
    return t


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Time torch.load + load_state_dict + torch.onnx.export (PyTorch's own export path) "
                    "and report seconds per step, peak RSS and whole-process time.",
        epilog="Whole-process timing comparable with the Java CLI: prefix the command with /usr/bin/time -v.")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--arch", choices=list(PRESETS), metavar="NAME", help="torchvision preset: " + ", ".join(PRESETS))
    src.add_argument("--spec", metavar="FILE.json", help="block spec JSON file")
    ap.add_argument("--num-classes", type=int, metavar="N", help="override num_classes")
    ap.add_argument("--in-channels", type=int, metavar="N", help="override in_channels")
    ap.add_argument("--weights", required=True, metavar="W.pth", help="state_dict checkpoint (torch.save)")
    ap.add_argument("--out", required=True, metavar="M.onnx", help="ONNX file to write (overwritten each repetition)")
    ap.add_argument("--repeat", type=int, default=3, metavar="R", help="repetitions in this process (default 3)")
    ap.add_argument("--opset", type=int, default=17, metavar="N", help="ONNX opset (default 17)")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    a = ap.parse_args(argv)
    if a.repeat < 1:
        ap.error("--repeat must be >= 1")
    torch.set_num_threads(2)

    runs = []
    try:
        for _ in range(a.repeat):
            runs.append(run_once(a))
    except SpecError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    t_end = time.time()
    start = process_start_epoch()
    res = {
        "arch": a.arch, "spec": a.spec, "weights": a.weights, "out": a.out, "opset": a.opset,
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "weights_mb": round(os.path.getsize(a.weights) / 1e6, 1),
        "onnx_mb": round(os.path.getsize(a.out) / 1e6, 1),
        "runs": [{k: round(v, 3) for k, v in r.items()} for r in runs],
        "best_total_s": round(min(r["total"] for r in runs), 3),
        "median_total_s": round(statistics.median(r["total"] for r in runs), 3),
        "import_torch_s": round(_T_IMPORTED - _T_SCRIPT, 3),
        "interpreter_startup_s": round(_T_SCRIPT - start, 3) if start else None,
        "first_run_process_s": round(_T_IMPORTED - start + runs[0]["total"], 3) if start else None,
        "whole_process_s": round(t_end - start, 3) if start else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    if a.json:
        print(json.dumps(res, indent=2))
        return 0
    print("%s -> %s (opset %d, torch %s, %d threads; %.1f MB -> %.1f MB)" % (
        a.weights, a.out, a.opset, res["torch"], res["threads"], res["weights_mb"], res["onnx_mb"]))
    print("%-4s %s %9s" % ("run", " ".join("%9s" % s for s in STEPS), "total s"))
    for i, r in enumerate(runs, 1):
        print("%-4d %s %9.3f" % (i, " ".join("%9.3f" % r[s] for s in STEPS), r["total"]))
    print("best total %.3f s, median %.3f s" % (res["best_total_s"], res["median_total_s"]))
    print("import torch %.3f s; interpreter start-up %s s" % (res["import_torch_s"], res["interpreter_startup_s"]))
    print("whole process so far %s s (first run alone, from process start: %s s)" % (
        res["whole_process_s"], res["first_run_process_s"]))
    print("peak RSS %.1f MB" % res["peak_rss_mb"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
