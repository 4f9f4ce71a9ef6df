#!/usr/bin/env bash
# `resnet4j quantize` (whole process, /usr/bin/time -v): wall time and peak RSS against the number of
# calibration images, per method. The claim it checks: memory is the float model, one batch of
# activations and a histogram per activation, so peak RSS does not grow with the image count.
#
# A seeded random torchvision resnet50 (tools/torch_reference.py), photo-like 320x240 JPEGs
# (tools/make_images.py), batch 8 (the default), per-channel weights, 2 threads. Prints one line per
# run and appends it to WORK/results.tsv (count, method, wall s, peak RSS MB, load before, load after).
#
#   tools/bench_quantize.sh [COUNTS (default "100 1000")] [METHODS (default "minmax percentile entropy")]
# Environment:
#   RESNET4J_BENCH_DIR   where the images and weights are kept between runs (default: a temporary folder)
#   RESNET4J_LAUNCHER    the resnet4j launcher to measure (default: this checkout's ./resnet4j)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
counts="${1:-100 1000}"
methods="${2:-minmax percentile entropy}"
threads=2
launcher="${RESNET4J_LAUNCHER:-$root/resnet4j}"
if [ -n "${RESNET4J_BENCH_DIR:-}" ]; then
  work="$RESNET4J_BENCH_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
weights="$work/resnet50/weights.pth"
[ -f "$weights" ] || /usr/bin/python3 tools/torch_reference.py --arch resnet50 --seed 1 --batch 1 \
  --height 32 --width 32 --out-dir "$work/resnet50" --no-timings >/dev/null
"$launcher" --version >/dev/null 2>&1 # builds the jar if missing, unmeasured

load1() { cut -d' ' -f1 /proc/loadavg; }

for count in $counts; do
  images="$work/calibration$count"
  [ -d "$images" ] || /usr/bin/python3 tools/make_images.py --count "$count" --width 320 --height 240 \
    --seed 5 --out-dir "$images" >/dev/null
  for method in $methods; do
    log="$work/quantize-$count-$method.time"
    before="$(load1)"
    /usr/bin/time -v "$launcher" quantize --weights "$weights" --arch resnet50 --calibrate "$images" \
      --method "$method" --per-channel --threads "$threads" --out "$work/int8-$count-$method.onnx" \
      >/dev/null 2>"$log" || { tail -20 "$log" >&2; exit 1; }
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$count" "$method" "$wall" "$rss" "$before" "$(load1)" >>"$work/results.tsv"
    printf '%5s images  %-10s wall %7s s  peak RSS %5s MB  load %s -> %s\n' "$count" "$method" "$wall" "$rss" \
      "$before" "$(load1)"
  done
done
