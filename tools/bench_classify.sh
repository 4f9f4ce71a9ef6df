#!/usr/bin/env bash
# End to end: `resnet4j classify` and `embed` (whole process) against the engine's inference-only
# rate and a torchvision + PIL loop doing the same work (tools/torchvision_classify_loop.py).
#
# COUNT generated 640x480 JPEGs (tools/make_images.py), a seeded random torchvision resnet50
# (tools/torch_reference.py), batch 16, 2 threads. Each round runs, one after the other:
#   classify-ort   ./resnet4j classify --engine ort          (/usr/bin/time -v: wall time, peak RSS)
#   bench-ort      ./resnet4j bench --engine ort --batch 16  (inference only, images/s)
#   torch-classify tools/torchvision_classify_loop.py        (/usr/bin/time -v)
#   embed-ort      ./resnet4j embed --engine ort             (/usr/bin/time -v)
#   torch-embed    tools/torchvision_classify_loop.py --mode embed
#   classify-java  ./resnet4j classify --engine java         (/usr/bin/time -v)
#   bench-java     ./resnet4j bench --engine java --batch 16 (inference only; 1 warm-up, 3 runs)
#   classify-ort-int8  ./resnet4j classify --model int8.onnx --engine ort (/usr/bin/time -v): the same
#                  resnet50 quantized by `resnet4j quantize --per-channel` (minmax) on the first batch's
#                  images (made once, unmeasured; only when asked for in RESNET4J_BENCH_ROWS)
#   classify-ort-baseline  classify --engine ort with another build's launcher (RESNET4J_BASELINE;
#                  only when set, e.g. a checkout of the commit before a change)
# and, when asked for in RESNET4J_BENCH_ROWS, classify-ort-first and classify-ort-baseline-first:
# the same command on the first batch of images only (start-up plus one batch), so that the summary
# can give the steady rate: (COUNT - 16) / (wall - wall of the first batch), start-up excluded.
# and prints one line per run; after the last round, the median of each row over the rounds.
#
#   tools/bench_classify.sh [COUNT (default 200)] [ROUNDS (default 3)]
# Environment:
#   RESNET4J_BENCH_LOCK  a file to hold with flock(1) for each round, so that other benchmarks on a
#                        shared machine do not run at the same time (default: no lock)
#   RESNET4J_BENCH_DIR   where the images and weights are kept between runs (default: a temporary folder)
#   RESNET4J_BENCH_ROWS  the rows to run, space-separated (default: all of the above)
#   RESNET4J_LAUNCHER    the resnet4j launcher to measure (default: this checkout's ./resnet4j)
#   RESNET4J_BASELINE    a second launcher, measured as classify-ort-baseline in each round
#   RESNET4J_JAVA_OPTS   passed on to the launcher as usual (JVM flags)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
count="${1:-200}"
rounds="${2:-3}"
batch=16
threads=2
launcher="${RESNET4J_LAUNCHER:-$root/resnet4j}"
rows="${RESNET4J_BENCH_ROWS:-classify-ort bench-ort torch-classify embed-ort torch-embed classify-java bench-java${RESNET4J_BASELINE:+ classify-ort-baseline}}"
if [ -n "${RESNET4J_BENCH_DIR:-}" ]; then
  work="$RESNET4J_BENCH_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
images="$work/images$count"
weights="$work/resnet50/weights.pth"
[ -d "$images" ] || /usr/bin/python3 tools/make_images.py --count "$count" --width 640 --height 480 \
  --out-dir "$images" >/dev/null
[ -f "$weights" ] || /usr/bin/python3 tools/torch_reference.py --arch resnet50 --seed 1 --batch 1 \
  --height 32 --width 32 --out-dir "$work/resnet50" --no-timings >/dev/null
# builds the jar and its class-data-sharing archive if missing, unmeasured
"$launcher" --version >/dev/null 2>&1
[ -z "${RESNET4J_BASELINE:-}" ] || "$RESNET4J_BASELINE" --version >/dev/null 2>&1
first="$work/first$batch-of-$count"
if [ ! -d "$first" ]; then
  mkdir -p "$first.tmp"
  # the whole sorted list first: `sort | head` fails under pipefail once sort's output outgrows the pipe
  mapfile -t all < <(find "$images" -name '*.jpg' | sort)
  for f in "${all[@]:0:$batch}"; do cp "$f" "$first.tmp/"; done
  mv "$first.tmp" "$first"
fi
int8="$work/resnet50/int8-minmax-per-channel.onnx"
case " $rows " in *" classify-ort-int8 "*)
  [ -f "$int8" ] || "$launcher" quantize --weights "$weights" --arch resnet50 --calibrate "$first" --per-channel \
    --threads "$threads" --out "$int8" >/dev/null ;;
esac
results="$work/results.tsv"
: >"$results"

load1() { cut -d' ' -f1 /proc/loadavg; }

# timed NAME CMD...: runs CMD under /usr/bin/time -v; records wall seconds, images/s, peak RSS (MB)
timed() {
  local name="$1"
  shift
  local log="$work/$name.time"
  local before
  before="$(load1)"
  if ! /usr/bin/time -v "$@" >"$work/$name.out" 2>"$log"; then
    echo "$name failed:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local wall rss
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")"
  rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")"
  local n="$count"
  case "$name" in *-first) n="$batch" ;; esac # the first batch alone: its own images
  record "$name" "$wall" "$(echo "scale=2; $n / $wall" | bc)" "$rss" "$before"
}

# inference NAME ENGINE ITERS WARMUP: the bench command's images/s at the same batch and threads
inference() {
  local name="$1" engine="$2" iters="$3" warmup="$4"
  local before json ips
  before="$(load1)"
  json="$("$launcher" bench --engine "$engine" --arch resnet50 --batch "$batch" --threads "$threads" \
    --iters "$iters" --warmup "$warmup" --json 2>/dev/null)"
  ips="$(echo "$json" | /usr/bin/python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["images_per_s"])')"
  record "$name" "-" "$ips" "-" "$before"
}

record() { # NAME WALL IPS RSS LOAD_BEFORE
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$2" "$3" "$4" "$5" "$(load1)" >>"$results"
  printf '  %-15s wall %6s s  %7s images/s  peak RSS %5s MB  load %s -> %s\n' "$1" "$2" "$3" "$4" "$5" "$(load1)"
}

run_row() {
  case "$1" in
    classify-ort) timed "$1" "$launcher" classify --weights "$weights" --arch resnet50 --engine ort \
      --threads "$threads" --batch "$batch" --json "$images" ;;
    classify-ort-int8) timed "$1" "$launcher" classify --model "$int8" --engine ort \
      --threads "$threads" --batch "$batch" --json "$images" ;;
    classify-ort-baseline) timed "$1" "$RESNET4J_BASELINE" classify --weights "$weights" --arch resnet50 \
      --engine ort --threads "$threads" --batch "$batch" --json "$images" ;;
    classify-ort-first) timed "$1" "$launcher" classify --weights "$weights" --arch resnet50 --engine ort \
      --threads "$threads" --batch "$batch" --json "$first" ;;
    classify-ort-baseline-first) timed "$1" "$RESNET4J_BASELINE" classify --weights "$weights" --arch resnet50 \
      --engine ort --threads "$threads" --batch "$batch" --json "$first" ;;
    embed-ort) timed "$1" "$launcher" embed --weights "$weights" --arch resnet50 --engine ort \
      --threads "$threads" --batch "$batch" --out "$work/features.npy" "$images" ;;
    classify-java) timed "$1" "$launcher" classify --weights "$weights" --arch resnet50 --engine java \
      --threads "$threads" --batch "$batch" --json "$images" ;;
    torch-classify) timed "$1" /usr/bin/python3 tools/torchvision_classify_loop.py --arch resnet50 \
      --weights "$weights" --threads "$threads" --batch "$batch" "$images" ;;
    torch-embed) timed "$1" /usr/bin/python3 tools/torchvision_classify_loop.py --mode embed --arch resnet50 \
      --weights "$weights" --threads "$threads" --batch "$batch" "$images" ;;
    bench-ort) inference "$1" ort 10 3 ;;
    bench-java) inference "$1" java 3 1 ;;
    *) echo "unknown row $1" >&2; exit 2 ;;
  esac
}

for round in $(seq 1 "$rounds"); do
  if [ -n "${RESNET4J_BENCH_LOCK:-}" ]; then
    exec 9>>"$RESNET4J_BENCH_LOCK"
    flock 9
  fi
  echo "round $round ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  for row in $rows; do
    run_row "$row"
  done
  if [ -n "${RESNET4J_BENCH_LOCK:-}" ]; then
    flock -u 9
    exec 9>&-
  fi
done

echo "medians over $rounds round(s), $count images, resnet50, batch $batch, $threads threads:"
/usr/bin/python3 - "$results" "$count" "$batch" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    _, name, wall, ips, rss, l0, l1 = line.rstrip("\n").split("\t")
    r = rows.setdefault(name, {"wall": [], "ips": [], "rss": [], "load": []})
    if wall != "-": r["wall"].append(float(wall))
    r["ips"].append(float(ips))
    if rss != "-": r["rss"].append(float(rss))
    r["load"] += [float(l0), float(l1)]
med = lambda v: "%.2f" % statistics.median(v) if v else "-"
for name, r in rows.items():
    print("  %-15s %7s images/s  wall %6s s  peak RSS %6s MB  load %.1f-%.1f  (images/s per round: %s)" % (
        name, med(r["ips"]), med(r["wall"]), med(r["rss"]).replace(".00", ""), min(r["load"]), max(r["load"]),
        " / ".join("%.2f" % v for v in r["ips"])))
count, batch = int(sys.argv[2]), int(sys.argv[3])
for name in ("classify-ort", "classify-ort-baseline"):
    if name in rows and name + "-first" in rows and rows[name]["wall"] and rows[name + "-first"]["wall"]:
        full, one = statistics.median(rows[name]["wall"]), statistics.median(rows[name + "-first"]["wall"])
        print("  %s steady rate, start-up excluded: (%d - %d) / (%.2f - %.2f s) = %.2f images/s (start-up and first batch %.2f s)"
              % (name, count, batch, full, one, (count - batch) / (full - one), one))
EOF
