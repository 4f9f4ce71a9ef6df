#!/usr/bin/env bash
# Throughput of the Spark batch job against `resnet4j classify` in one JVM, same engine and threads:
# images/s over COUNT generated 640x480 JPEGs (tools/make_images.py), a seeded random torchvision
# resnet18 (tools/torch_reference.py). Prints one line per run; note the load average beside the
# figures (`uptime`), the machine may be shared.
#   tools/bench_spark.sh [COUNT (default 500)] [ENGINE (default ort)]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-500}"
engine="${2:-ort}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tools/make_images.py --count "$count" --width 640 --height 480 --out-dir "$work/images" >/dev/null
/usr/bin/python3 tools/torch_reference.py --arch resnet18 --seed 1 --batch 1 --height 32 --width 32 \
  --out-dir "$work/model" --no-timings >/dev/null
weights="$work/model/weights.pth"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

t0=$(date +%s.%N)
./resnet4j classify --weights "$weights" --arch resnet18 --engine "$engine" --threads 2 --batch 16 --json \
  "$work/images" >/dev/null 2>"$work/classify.err"
t1=$(date +%s.%N)
echo "classify (one JVM, $engine, 2 threads): $count images in $(echo "$t1 - $t0" | bc) s = $(echo "scale=1; $count / ($t1 - $t0)" | bc) images/s"

t0=$(date +%s.%N)
./resnet4j spark --master 'local[2]' --weights "$weights" --arch resnet18 --engine "$engine" --threads 1 --batch 16 \
  --input "$work/images" --output "$work/out-local" --mode classify 2>"$work/spark.err"
t1=$(date +%s.%N)
echo "spark local[2] ($engine, 2 tasks x 1 thread): $count images in $(echo "$t1 - $t0" | bc) s = $(echo "scale=1; $count / ($t1 - $t0)" | bc) images/s"
grep -h "images," "$work/spark.err" || cat "$work/spark.err" >&2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
