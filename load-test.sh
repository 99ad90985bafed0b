#!/usr/bin/env bash
# The seed's load tests against the cluster ./setup.sh started: the burst (5,000 → 20,000 → 5,000 events/s for 2 min, 1 min,
# 2 min) and the ramp (1,000 → 15,000 events/s over 10 min, then 1 min held), through the `logperf` CLI. Prints each summary,
# the analyzer's diagnosis, and where the results were written (reports/<test>.json, reports/<test>.analysis.json).
# Usage: ./load-test.sh [--scale F] [burst|ramp]…   F (0 < F ≤ 1) multiplies every rate and duration; CI runs --scale 0.05.
# Exit status: 0 every test ran and met the seed's expectations; 1 a test ran and missed one (the summary says which);
# 2 a test could not run.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/steps.sh

scale=1 tests=()
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    burst|ramp) tests+=("$1"); shift ;;
    *) echo "usage: ./load-test.sh [--scale F] [burst|ramp]…" >&2; exit 2 ;;
  esac
done
[ ${#tests[@]} -gt 0 ] || tests=(burst ramp)
awk -v f="$scale" 'BEGIN { exit !(f > 0 && f <= 1) }' || { echo "--scale must be in (0, 1], got $scale" >&2; exit 2; }
[ -f .env.logperf ] || { echo "load-test: no .env.logperf; run ./setup.sh first" >&2; exit 2; }
set -a; source .env.logperf; set +a

rate() { awk -v r="$1" -v f="$scale" 'BEGIN { n = int(r * f + 0.5); print (n < 1 ? 1 : n) }'; }
duration() { awk -v s="$1" -v f="$scale" 'BEGIN { n = int(s * f + 0.5); printf "PT%dS\n", (n < 1 ? 1 : n) }'; }
url() { echo "http://127.0.0.1:$1"; }
logperf() { node apps/cli/bin/logperf.js "$@"; }
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

# The three roles of the seed's terminals: used when they answer, otherwise started here for the tests and stopped after.
started=()
cleanup() { local pid; for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
mkdir -p .cache/setup reports
for role in monitor loadgen analyzer; do
  port_var="LOGPERF_${role^^}_PORT"
  if curl -fsS "$(url "${!port_var}")/health" >/dev/null 2>&1; then echo "$role: answering on :${!port_var}"; continue; fi
  node apps/cli/bin/logperf.js "$role" >".cache/setup/load-test-$role.log" 2>&1 & # not the function: $! must be node's pid
  started+=($!)
  for _ in $(seq 1 60); do curl -fsS "$(url "${!port_var}")/health" >/dev/null 2>&1 && break; sleep 1; done
  curl -fsS "$(url "${!port_var}")/health" >/dev/null || { tail -20 ".cache/setup/load-test-$role.log" >&2; exit 1; }
  echo "$role: started for these tests on :${!port_var} (log .cache/setup/load-test-$role.log)"
done
LOADGEN=$(url "$LOGPERF_LOADGEN_PORT")
ANALYZER=$(url "$LOGPERF_ANALYZER_PORT")

latest_id() { curl -fsS "$LOADGEN/api/results/latest" 2>/dev/null | json_field testId || true; }

# Writes the stored result and the analyzer's diagnosis of test $1 to reports/ and prints both paths.
report() {
  local id=$1
  curl -fsS "$LOADGEN/api/results/$id" >"reports/$id.json"
  logperf analyze --url "$ANALYZER" --test "$id" || true
  logperf analyze --url "$ANALYZER" --test "$id" --json >"reports/$id.analysis.json" || true
  echo "results: reports/$id.json"
  echo "analysis: reports/$id.analysis.json"
}

status=0
for test in "${tests[@]}"; do
  echo; echo "== seed $test (scale $scale)"
  before=$(latest_id) passed=true
  if [ "$test" = burst ]; then
    # The seed's expectations: p95 under 200 ms through the burst, no errors.
    logperf burst --url "$LOADGEN" --name seed-burst --baseline-rate "$(rate 5000)" --burst-rate "$(rate 20000)" \
      --baseline "$(duration 120)" --burst "$(duration 60)" --p95 200 --error-rate 0 || passed=false
  else
    logperf ramp --url "$LOADGEN" --name seed-ramp --start-rate "$(rate 1000)" --target-rate "$(rate 15000)" \
      --ramp "$(duration 600)" --hold "$(duration 60)" --error-rate 0 || passed=false
  fi
  id=$(latest_id)
  state=$([ -n "$id" ] && [ "$id" != "$before" ] && curl -fsS "$LOADGEN/api/results/$id" | json_field status || echo none)
  if [ "$state" != completed ]; then echo "load-test: the $test test did not run to the end ($state)" >&2; exit 2; fi
  report "$id"
  $passed || status=1
done
exit $status
