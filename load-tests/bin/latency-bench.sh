#!/bin/bash
# latency-bench.sh: smarthost's accept latency (Gatling "message accepted": MAIL FROM sent ->
# 250 after the final ".") at fractions of its saturation rate, while it relays to smtp-sink.
#
#   load-tests/bin/latency-bench.sh [-m MTA] [-f FRACTIONS] [-d SECONDS] [-S RATE]
#
#   -m  smarthost (default) or postfix (the baseline, ../shared/bench/postfix-baseline.sh)
#   -f  comma-separated percentages of the saturation rate (default 50,90)
#   -d  seconds of steady load per fraction (default 60)
#   -S  saturation rate in sessions/s; default: measured first
#
# 1. the MTA (fresh, relayhost = smtp-sink on loopback) gets the unmeasured warm-up
#    (WARMUP messages, default 5000, as in relay-bench.sh);
# 2. saturation: smtp-source with 50 concurrent sessions, one 2 KB message per session, sends
#    SAT_MESSAGES (default 20000) as fast as the server accepts them: the accept rate in
#    msgs/s (= sessions/s) is the saturation rate, with delivery running at the same time;
# 3. for each fraction: Gatling's SteadyRelaySimulation (one message per session, 2 KB, 1
#    recipient) at that fraction of the saturation rate for -d seconds; the "message accepted"
#    p50/p95/p99/max come from the report's js/stats.js. Gatling runs on the same machine, so
#    its own CPU is part of the load.
# Needs root, Debian's postfix (smtp-source, smtp-sink), bc, ss, python3 and Maven (offline).
set -u
. "$(dirname "$0")/bench-lib.sh"

fractions=50,90 duration=60 sat= mta=smarthost
while getopts "m:f:d:S:h" o; do
  case $o in
    m) mta=$OPTARG ;; f) fractions=$OPTARG ;; d) duration=$OPTARG ;; S) sat=$OPTARG ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
require_tools mvn python3
case $mta in smarthost) snapshot_smarthost ;; postfix) require_baseline ;; *) die "unknown MTA '$mta'" ;; esac
SAT_MESSAGES=${SAT_MESSAGES:-20000}
mkdir -p "$BENCH_WORK"; chmod 755 "$BENCH_WORK"
SH_DIR=$BENCH_WORK/latency PF_DIR=$BENCH_WORK/postfix
cleanup() {
  stop_sinks
  [[ -d $SH_DIR && -n ${SH_IN:-} ]] && smarthost_stop "$SH_DIR" "$SH_IN"
  [[ -d $PF_DIR ]] && postfix_stop "$PF_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SH_IN=$(free_port); SINK=$(free_port)
if [[ $mta == smarthost ]]; then
  smarthost_config "$SH_DIR" "$SH_IN" "$SINK"
  smarthost_start "$SH_DIR" "$SH_IN" || exit 1
else
  postfix_start "$PF_DIR" "$SH_IN" "$SINK" || exit 1
fi
warm_up "$SH_IN" "$SINK" || exit 1
start_sink "$SINK" "$BENCH_WORK/sink-latency.out" || exit 1

if [[ -z $sat ]]; then
  t0=$(now)
  timeout 1800 smtp-source -s 50 -m "$SAT_MESSAGES" -l 2048 -f sender@example.org -t rcpt@example.net \
    "127.0.0.1:$SH_IN" >"$BENCH_WORK/source.err" 2>&1
  t1=$(now)
  sat=$(echo "scale=0; $SAT_MESSAGES/($t1-$t0)" | bc)
  echo "$mta saturation: $SAT_MESSAGES messages, 50 sessions, accept_msgs_per_s=$sat (client errors: $(grep -c . "$BENCH_WORK/source.err"))"
  # let the queue drain before the latency runs
  for _ in $(seq 1 1200); do [[ $(sink_count "$BENCH_WORK/sink-latency.out") -ge $SAT_MESSAGES ]] && break; sleep 0.1; done
fi

IFS=, read -ra FR <<<"$fractions"
for f in "${FR[@]}"; do
  rate=$(( sat * f / 100 ))
  (cd "$REPO_ROOT" && timeout $(( duration + 900 )) mvn -B -o -q -pl load-tests gatling:test \
      -Dgatling.simulationClass=org.smarthost.loadtests.simulations.SteadyRelaySimulation \
      -Dport="$SH_IN" -Drate="$rate" -Dduration="$duration" -Ddrain=60 -DmaxFailedPercent=100) \
      >"$BENCH_WORK/gatling-$f.out" 2>&1
  rc=$?
  report=$(ls -td "$REPO_ROOT"/load-tests/target/gatling/steadyrelaysimulation-* 2>/dev/null | head -1)
  [[ -f $report/js/stats.js ]] || { echo "load=${f}% rate=$rate: no Gatling report (mvn exit $rc; see $BENCH_WORK/gatling-$f.out)"; continue; }
  python3 - "$report/js/stats.js" "$f" "$rate" "$duration" "$mta" <<'PY'
import re, sys
path, frac, rate, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = open(path).read()
i = s.find('"name": "message accepted"')
block = s[i:i + 3000]
def v(key, part="ok"):
    m = re.search('"%s": \\{[^}]*"%s": "([^"]*)"' % (key, part), block)
    return m.group(1) if m else "?"
print(f"{sys.argv[5]} load={frac}% rate={rate}/s duration={duration}s accepted_ok={v('numberOfRequests')} ko={v('numberOfRequests','ko')} "
      f"p50_ms={v('percentiles1')} p95_ms={v('percentiles3')} p99_ms={v('percentiles4')} max_ms={v('maxResponseTime')} "
      f"mean_ms={v('meanResponseTime')} report={path.rsplit('/js/', 1)[0]}")
PY
done
