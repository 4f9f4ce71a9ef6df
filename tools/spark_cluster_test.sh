#!/usr/bin/env bash
# The fault test on a real Spark cluster: a standalone master and two workers (one core each) on
# 127.0.0.1, started from the Maven jars (a SPARK_HOME laid out from target/spark.classpath), the
# batch job submitted to it, one executor killed with SIGKILL while it runs; then the output must
# hold every image exactly once, with the rows of the same job on local[2].
#   tools/spark_cluster_test.sh [COUNT (default 48)]
# Needs ./resnet4j built (it builds itself) and /usr/bin/python3 with torch (for the images and weights).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
count="${1:-48}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# the jar submitted must be this checkout's: rebuild it when a source is newer
if [ ! -f target/resnet4j.jar ] || [ -n "$(find src pom.xml -newer target/resnet4j.jar -type f | head -1)" ]; then
  mvn -q -B -o -DskipTests package || mvn -q -B -DskipTests package
fi
./resnet4j spark --help >/dev/null 2>&1 || true   # caches Spark's class path
home="$work/spark-home"
mkdir -p "$home/jars" "$home/logs"
touch "$home/RELEASE"    # Spark's launcher then takes SPARK_HOME/jars as its class path
tr ':' '\n' < target/spark.classpath | grep -v '/slf4j-simple-' | while read -r j; do ln -sf "$j" "$home/jars/"; done
export SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
opts="$(sed -n 's/^options=//p' target/classes/org/resnet4j/spark/jvm.properties)"
log="-Dlog4j2.configurationFile=$root/target/classes/org/resnet4j/spark/log4j2-quiet.properties"
port=$((20000 + RANDOM % 20000))
master="spark://127.0.0.1:$port"

# shellcheck disable=SC2086
CLASSPATH="$home/jars/*" java $opts $log -Xmx512m org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port 0 >"$work/master.log" 2>&1 &
pids+=($!)
for w in 1 2; do
  # shellcheck disable=SC2086
  CLASSPATH="$home/jars/*" java $opts $log -Xmx512m org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 2g --webui-port 0 --work-dir "$work/worker$w" "$master" >"$work/worker$w.log" 2>&1 &
  pids+=($!)
done

/usr/bin/python3 tools/make_images.py --count "$count" --width 320 --height 240 --out-dir "$work/images" >/dev/null
/usr/bin/python3 tools/torch_reference.py --arch resnet18 --seed 2 --batch 1 --height 32 --width 32 \
  --out-dir "$work/model" --no-timings >/dev/null
job=(--weights "$work/model/weights.pth" --arch resnet18 --input "$work/images" --mode classify --format json
  --batch 2 --partitions 8)

echo "reference: the job on local[2]"
./resnet4j spark --master 'local[2]' "${job[@]}" --output "$work/reference" 2>"$work/reference.log" \
  || { cat "$work/reference.log"; exit 1; }

echo "cluster: $master, two workers; submitting"
start=$(date +%s)
# shellcheck disable=SC2086
CLASSPATH="$home/jars/*" java $opts $log org.apache.spark.deploy.SparkSubmit --master "$master" \
  --conf spark.executor.memory=1g --conf spark.task.maxFailures=8 --conf "spark.executor.extraJavaOptions=$log" \
  --class org.resnet4j.spark.BatchJob target/resnet4j.jar "${job[@]}" --output "$work/cluster" >"$work/submit.log" 2>&1 &
submit=$!
pids+=("$submit")

# Kill one executor once some task of the job has committed its rows (a part file in the temporary output).
killed=""
for _ in $(seq 1 600); do
  if find "$work" -path '*/.cluster.resnet4j-*' -name 'part-*' 2>/dev/null | grep -q .; then
    # an executor of our workers only: their children
    executor="$( (pgrep -P "${pids[1]}" -f CoarseGrainedExecutorBackend; pgrep -P "${pids[2]}" -f CoarseGrainedExecutorBackend) | head -1 || true)"
    if [ -n "$executor" ]; then
      kill -9 "$executor"
      killed="$executor"
      echo "killed executor pid $executor with SIGKILL after $(( $(date +%s) - start )) s"
      break
    fi
  fi
  kill -0 "$submit" 2>/dev/null || break
  sleep 0.5
done
status=0
wait "$submit" || status=$?
echo "job exit $status after $(( $(date +%s) - start )) s"
[ "$status" -eq 0 ] || { cat "$work/submit.log"; exit 1; }
[ -n "$killed" ] || { echo "FAIL: the job ended before an executor could be killed (try a larger COUNT)"; exit 1; }
grep -q "ExecutorLost\|Lost executor\|lost\|Removed executor" "$work/submit.log" "$work/master.log" \
  && echo "Spark saw the executor loss"

/usr/bin/python3 - "$work/reference" "$work/cluster" "$count" <<'PY'
import glob, json, sys
def rows(d):
    out = {}
    for f in glob.glob(d + "/part-*.json"):
        for line in open(f):
            r = json.loads(line)
            assert r["path"] not in out, "duplicate row " + r["path"]
            out[r["path"]] = r
    return out
ref, got, count = rows(sys.argv[1]), rows(sys.argv[2]), int(sys.argv[3])
assert len(ref) == count, (len(ref), count)
assert sorted(got) == sorted(ref), "paths differ: %d vs %d rows" % (len(got), len(ref))
worst = 0.0
for p, r in ref.items():
    g = got[p]
    assert [t["index"] for t in g["top"]] == [t["index"] for t in r["top"]], p
    worst = max(worst, max(abs(a["probability"] - b["probability"]) for a, b in zip(g["top"], r["top"])))
assert worst <= 1e-6, worst
print("PASS: %d rows, each image once, same top-5 as local[2] (max probability difference %.1e)" % (len(got), worst))
PY
