#!/usr/bin/env bash
# The Java engine against ONNX Runtime, the rows of docs/PERFORMANCE.md's engine table:
#   tools/bench_engines.sh [ROUNDS] [THREADS...]      (default: 3 rounds, 1 and 2 threads)
#   ONLY="resnet50 224x224 b1" tools/bench_engines.sh ...   (the rows whose name contains ONLY)
#   SCALING=1 tools/bench_engines.sh [ROUNDS]          (2 threads against 1, each engine in one process)
# For every row and thread count it runs `./resnet4j bench --engine java --against ort --json` ROUNDS
# times: one process holds both engines and times them in alternation, one run of each per round, so
# that the shared host's load, which moves both by more than the differences measured (the same
# conv ran at ~50 or ~29 GFLOP/s a few seconds apart), weighs on both alike. It prints one Markdown
# row: the medians of the processes' medians, GFLOP/s as % of the peak (PEAK_GFLOPS_PER_CORE x threads,
# default 78.4 = 2.45 GHz x 2 FMA x 8 lanes x 2; one busy core boosts above it, so ORT can exceed
# 100 %), each process's median of per-round Java/ORT ratios and their median, and the ratio of the
# fastest single runs (best/best: what a machine without neighbours would show).
# SCALING=1 prints instead, per row and engine, what the second thread buys: `bench --engine E
# --threads 2 --against E --against-threads 1`, 1-thread time over 2-thread time per round.
# The digits row needs the digits model exported first (made here into target/ if missing).
# Benchmarks only: nothing here asserts a time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
shift || true
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
peak="${PEAK_GFLOPS_PER_CORE:-78.4}"
r4j="$here/resnet4j"
digits="$here/target/bench-digits.onnx"
if [ ! -f "$digits" ]; then
  "$r4j" export --spec "$here/testdata/digits/spec.json" --weights "$here/testdata/digits/model.pth" \
    --out "$digits" >/dev/null
fi

# name | bench arguments | warm-up | timed runs
rows=(
  "resnet18 224x224 b1|--arch resnet18 --batch 1|10|20"
  "resnet18 224x224 b8|--arch resnet18 --batch 8|3|8"
  "resnet50 224x224 b1|--arch resnet50 --batch 1|8|15"
  "resnet50 224x224 b8|--arch resnet50 --batch 8|3|6"
  "resnet18 32x32 b64|--arch resnet18 --size 32 --batch 64|8|15"
  "resnet18 8x8 b1|--arch resnet18 --size 8 --batch 1|40|60"
  "resnet18 8x8 b8|--arch resnet18 --size 8 --batch 8|40|60"
  "digits 8x8 b540|--model $digits --size 8 --batch 540|10|20"
)

# prints "java_median java_gflops java_min ort_median ort_gflops ort_min ratio_median" of one paired bench process
one() {
  # shellcheck disable=SC2086
  "$r4j" bench $1 --engine java --against ort --threads "$2" --warmup "$3" --iters "$4" --json 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); o=d["against"]; print(d["median_ms"], d["gflops"] or 0, d["min_ms"], o["median_ms"], o["gflops"] or 0, o["min_ms"], d["ratio_median"])'
}

if [ -n "${SCALING:-}" ]; then
  echo "| model | engine | 1 thread ms | 2 threads ms | scaling per process (paired rounds) | scaling | load (1-min) | UTC |"
  echo "|---|---|---:|---:|---|---:|---|---|"
  for row in "${rows[@]}"; do
    IFS='|' read -r name args warm iters <<<"$row"
    [[ "$name" == *"${ONLY:-}"* ]] || continue
    for e in ort java; do
      start="$(date -u +%H:%M)"
      loads=()
      results=()
      for _ in $(seq "$rounds"); do
        loads+=("$(cut -d' ' -f1 /proc/loadavg)")
        # shellcheck disable=SC2086
        results+=("$("$r4j" bench $args --engine "$e" --threads 2 --against "$e" --against-threads 1 \
          --warmup "$warm" --iters "$iters" --json 2>/dev/null |
          python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["against"]["median_ms"], d["median_ms"], 1 / d["ratio_median"])')")
      done
      printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
name, e, loads, start, end = sys.argv[1:6]
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
s = [r[2] for r in rows]
print("| %s | %s | %.1f | %.1f | %s | %.2f | %s | %s-%s |" % (name, e, statistics.median(r[0] for r in rows),
    statistics.median(r[1] for r in rows), " / ".join("%.2f" % x for x in s), statistics.median(s),
    "-".join([min(loads.split(), key=float), max(loads.split(), key=float)]), start, end))
' "$name" "$e" "${loads[*]}" "$start" "$(date -u +%H:%M)"
    done
  done
  exit 0
fi

[ -n "${NO_HEADER:-}" ] || echo "| model | threads | ORT ms | ORT % peak | Java ms | Java % peak | Java/ORT per process (paired rounds) | Java/ORT | best/best | load (1-min) | UTC |"
[ -n "${NO_HEADER:-}" ] || echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|"
for row in "${rows[@]}"; do
  IFS='|' read -r name args warm iters <<<"$row"
  [[ "$name" == *"${ONLY:-}"* ]] || continue
  for t in "${threads[@]}"; do
    start="$(date -u +%H:%M)"
    loads=()
    results=()
    for _ in $(seq "$rounds"); do
      loads+=("$(cut -d' ' -f1 /proc/loadavg)")
      results+=("$(one "$args" "$t" "$warm" "$iters")")
    done
    printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
name, t, peak, loads, start, end = sys.argv[1:7]
t = int(t); peak = float(peak) * t
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]  # java: median gflops min, ort: same, ratio
java = statistics.median(r[0] for r in rows); ort = statistics.median(r[3] for r in rows)
jg = statistics.median(r[1] for r in rows); og = statistics.median(r[4] for r in rows)
ratios = [r[6] for r in rows]
best = min(r[2] for r in rows) / min(r[5] for r in rows)
pct = lambda g: "%.0f %%" % (100 * g / peak) if g else "n/a"
print("| %s | %d | %.1f | %s | %.1f | %s | %s | %.2f | %.2f | %s | %s-%s |" % (
    name, t, ort, pct(og), java, pct(jg), " / ".join("%.2f" % x for x in ratios),
    statistics.median(ratios), best, "-".join([min(loads.split(), key=float), max(loads.split(), key=float)]), start, end))
' "$name" "$t" "$peak" "${loads[*]}" "$start" "$(date -u +%H:%M)"
  done
done
