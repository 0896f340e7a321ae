#!/bin/bash
# latency-bench.sh: smarthost's accept latency (Gatling "message accepted": MAIL FROM sent ->
# 250 after the final ".") at fractions of its saturation rate, while it relays to smtp-sink.
#
#   load-tests/bin/latency-bench.sh [-m MTA] [-f FRACTIONS] [-d SECONDS] [-w SECONDS] [-c N] [-S RATE] [-g]
#
#   -m  smarthost (default) or postfix (the baseline, ../shared/bench/postfix-baseline.sh), or
#       direct: no MTA, Gatling sends to smtp-sink itself (which answers at once and keeps
#       nothing), so the figures are the floor of this machine and load generator at that rate;
#       needs -S, and "cpu_s_server" is then smtp-sink's
#   -f  comma-separated percentages of the saturation rate (default 50,90)
#   -d  seconds of measured steady load per fraction (default 60)
#   -w  seconds of unmeasured Gatling warm-up at the same rate before each measurement (default 20)
#   -c  messages per SMTP connection (default 1); the session rate is the message rate / N
#   -S  saturation rate in msgs/s; default: measured first
#   -g  measure the saturation with Gatling instead of smtp-source (see 2.)
#
# 1. the MTA (fresh, relayhost = smtp-sink on loopback) gets the unmeasured warm-up
#    (WARMUP messages, default 5000, as in relay-bench.sh);
# 2. saturation: smtp-source with 50 concurrent sessions, one 2 KB message per session, sends
#    SAT_MESSAGES (default 20000) as fast as the server accepts them: the accept rate in
#    msgs/s is the saturation rate, with delivery running at the same time. With -g Gatling
#    measures it instead (ConcurrentSessionsSimulation: 50 sessions open at every moment, -c
#    messages each, -w s of warm-up, then -d s measured; rate = accepted messages / -d): the rate
#    the MTA reaches while this same load generator shares its CPUs. smtp-source costs the host
#    far less CPU per session than Gatling, so on a small host a fraction of its rate can be more
#    than Gatling and the MTA together can offer and serve (2 cores: Gatling falls behind at 90%);
# 3. for each fraction: Gatling's SteadyRelaySimulation (2 KB, 1 recipient, -c messages per
#    session) at that fraction of the saturation rate in msgs/s, i.e. rate/N sessions/s: first
#    -w seconds of warm-up (Gatling's own JIT warm-up; reported as "warm-up: ..." rows), then,
#    at the same arrival rate without a pause, -d seconds measured. The "message accepted" p50/p95/p99/max come from the measured row of
#    the report's js/stats.js, and how many of the measured seconds had a p99 over 10 ms (from the
#    row's per-second percentiles: seconds_p99_over_10ms, worst_second_p99_ms); the SMTP commands get no rows of their own (-DcommandStats=false:
#    each row costs Gatling CPU that the server on the same cores would otherwise have). Gatling runs on the same machine, so its own CPU is part of the
#    load: the result line shows the CPU seconds each side used over the whole Gatling run
#    (Maven and JVM start, warm-up, measured load, drain, report), cpu_server = utime+stime of
#    the MTA's master process and its descendants (and the children they reaped) from
#    /proc/PID/stat before and after; cpu_loadgen = user+sys that bash's "time" reports for the
#    mvn command: Maven, the forked Gatling JVM and everything else it waited for.
# GATLING_JVM_ARGS adds options to the Gatling JVM (gatling-maven-plugin's gatling.jvmArgs, ahead
# of its defaults; Maven splits the value at commas), e.g. -Xlog:gc:file=/tmp/gatling-gc.log to see
# the load generator's own pauses.
# Needs root, Debian's postfix (smtp-source, smtp-sink), bc, ss, python3 and Maven (offline).
set -u
. "$(dirname "$0")/bench-lib.sh"

fractions=50,90 duration=60 warmup=20 per_conn=1 sat= mta=smarthost sat_by=smtp-source
while getopts "m:f:d:w:c:S:gh" o; do
  case $o in
    m) mta=$OPTARG ;; f) fractions=$OPTARG ;; d) duration=$OPTARG ;; S) sat=$OPTARG ;;
    w) warmup=$OPTARG ;; c) per_conn=$OPTARG ;; g) sat_by=gatling ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
[[ $duration =~ ^[0-9]+$ && $duration -gt 0 ]] || die "-d must be a positive number of seconds, got '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "-w must be a number of seconds (0: no Gatling warm-up), got '$warmup'"
[[ $per_conn =~ ^[0-9]+$ && $per_conn -gt 0 ]] || die "-c must be a positive number of messages, got '$per_conn'"
[[ -z $sat || $sat =~ ^[0-9]+$ ]] || die "-S must be a whole number of msgs/s, got '$sat'"
[[ -n $sat ]] && sat_by=given   # result lines say where the rate came from
require_tools mvn python3
require_gatling_plugin
case $mta in
  smarthost) snapshot_smarthost ;; postfix) require_baseline ;;
  direct) [[ -n $sat ]] || die "-m direct needs -S RATE: there is no MTA to saturate" ;;
  *) die "unknown MTA '$mta'" ;;
esac
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
if [[ $mta == direct ]]; then
  SH_IN=$SINK   # Gatling's sessions go to the sink; nothing to start, warm or stop
elif [[ $mta == smarthost ]]; then
  smarthost_config "$SH_DIR" "$SH_IN" "$SINK"
  smarthost_start "$SH_DIR" "$SH_IN" || exit 1
else
  postfix_start "$PF_DIR" "$SH_IN" "$SINK" || exit 1
fi
if [[ $mta != direct ]]; then
  pidfile=$( [[ $mta == smarthost ]] && echo "$SH_DIR" || echo "$PF_DIR")/queue/pid/master.pid
  WARMUP_PIDFILE=$pidfile warm_up "$SH_IN" "$SINK" || exit 1
fi
start_sink "$SINK" "$BENCH_WORK/sink-latency.out" || exit 1

# cpu_seconds ROOT_PID: CPU seconds (user+system) of ROOT_PID and its live descendants, plus
# what they have reaped of exited children (cutime+cstime), so Postfix's short-lived daemons count
# too; a single-JVM smarthost is just its master's utime+stime. 0 when ROOT_PID is gone.
cpu_seconds() {
  python3 - "$1" <<'PY'
import os, sys
root, ticks, parent, cpu = sys.argv[1], os.sysconf("SC_CLK_TCK"), {}, {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    parent[pid] = fields[1]                                 # field 4: ppid
    cpu[pid] = sum(int(x) for x in fields[11:15])           # fields 14-17: utime stime cutime cstime
if root not in parent:
    print("0.00")
    sys.exit()
def in_tree(pid):
    while pid in parent and pid != root:
        pid = parent[pid]
    return pid == root
print("%.2f" % (sum(c for p, c in cpu.items() if in_tree(p)) / ticks))
PY
}

# The MTA's master pid, from the pid file bench-lib.sh's stop functions use (-m direct: the sink's).
master_pid() {
  [[ $mta == direct ]] && { echo "${SINK_PIDS[-1]}"; return; }
  local f dir=$SH_DIR
  [[ $mta == postfix ]] && dir=$PF_DIR
  for f in "$dir/queue/pid/master.pid" "$dir/data/master.pid"; do
    [[ -f $f ]] && { tr -d ' \n' <"$f"; return; }
  done
}

# gatling TAG SIMULATION -Dprop=value...: one Gatling run against the MTA (same warm-up and
# measured length for every run), its report directory in REPORT; sets CPU_SERVER and CPU_LOADGEN.
gatling() {
  local tag=$1 sim=$2 server cpu0 cpu1 rc; shift 2
  server=$(master_pid)
  [[ -n $server ]] || note "WARNING: no master.pid for $mta: its CPU is not measured"
  cpu0=$(cpu_seconds "${server:-0}")
  # only a report this run wrote counts: a failed run must not pass off an older one as its own
  local started=$BENCH_WORK/gatling-$tag.started
  touch "$started"
  TIMEFORMAT='%3U %3S'
  # the inner braces keep the command's own 2>&1 from taking time's report along
  { time { (cd "$REPO_ROOT" && timeout $(( warmup + duration + 900 )) mvn -B -o -q -pl load-tests gatling:test \
      -Dgatling.simulationClass=org.smarthost.loadtests.simulations.$sim \
      -Dport="$SH_IN" -DmessagesPerConnection="$per_conn" \
      -Dwarmup="$warmup" -Dduration="$duration" -Ddrain=60 -DmaxFailedPercent=100 -DcommandStats=false "$@" \
      ${GATLING_JVM_ARGS:+"-Dgatling.jvmArgs=$GATLING_JVM_ARGS"}) \
      >"$BENCH_WORK/gatling-$tag.out" 2>&1 ; } ; } 2>"$BENCH_WORK/gatling-$tag.time"
  rc=$?
  cpu1=$(cpu_seconds "${server:-0}")
  CPU_SERVER=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
  CPU_LOADGEN=$(awk 'NF == 2 { printf "%.2f", $1 + $2 }' "$BENCH_WORK/gatling-$tag.time")
  CPU_LOADGEN=${CPU_LOADGEN:-?}
  REPORT=$(find "$REPO_ROOT/load-tests/target/gatling" -maxdepth 1 -name "${sim,,}-*" -newer "$started" 2>/dev/null | sort | tail -n 1)
  [[ -n $REPORT && -f $REPORT/js/stats.js ]] && return 0
  echo "$tag: no Gatling report (mvn exit $rc; see $BENCH_WORK/gatling-$tag.out)"
  return 1
}

# accepted STATS_JS KEY [PART]: a statistic of the measured "message accepted" row (the warm-up's
# row is "warm-up: message accepted"), e.g. numberOfRequests ok, percentiles4 ok (p99).
accepted() {
  python3 - "$@" <<'PY'
import re, sys
path, key, part = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "ok"
s = open(path).read()
m = re.search(r'"name": "message accepted",', s)
block = s[m.start():m.start() + 3000] if m else ""
m = re.search('"%s": \\{[^}]*"%s": "([^"]*)"' % (key, part), block)
print(m.group(1) if m else "?")
PY
}

# slow_seconds REPORT: how the measured "message accepted" p99 spreads over the run, from the
# per-second percentiles in the report's page for that row: "N/M W" = N of the M measured seconds
# had a p99 over 10 ms, the worst second's p99 was W ms. A run's p99 is usually set by a few bad
# seconds; this says whether it was a few or all of them.
slow_seconds() {
  python3 - "$1" <<'PY'
import glob, json, re, sys
pages = glob.glob(sys.argv[1] + "/req_message-accepte*.html")
m = re.search(r"responsetimepercentilesovertimeokPercentiles = unpack\((\[.*?\])\);",
              open(pages[0]).read(), re.S) if pages else None
# each second: [min, p25, p50, p75, p80, p85, p90, p95, p99, max], or null before the row starts
p99 = [v[8] for _, v in json.loads(m.group(1)) if v] if m else []
print("%d/%d %d" % (sum(1 for x in p99 if x > 10), len(p99), max(p99)) if p99 else "? ?")
PY
}

if [[ -z $sat && $sat_by == smtp-source ]]; then
  t0=$(now)
  timeout 1800 smtp-source -s 50 -m "$SAT_MESSAGES" -l 2048 -f sender@example.org -t rcpt@example.net \
    "127.0.0.1:$SH_IN" >"$BENCH_WORK/source.err" 2>&1
  t1=$(now)
  sat=$(echo "scale=0; $SAT_MESSAGES/($t1-$t0)" | bc)
  echo "$mta saturation: smtp-source, $SAT_MESSAGES messages, 50 sessions, accept_msgs_per_s=$sat (client errors: $(grep -c . "$BENCH_WORK/source.err"))"
elif [[ -z $sat ]]; then
  gatling saturation ConcurrentSessionsSimulation -Dsessions=50 || exit 1
  ok=$(accepted "$REPORT/js/stats.js" numberOfRequests)
  [[ $ok =~ ^[0-9]+$ && $ok -gt 0 ]] || { echo "saturation: no message accepted (see $REPORT)"; exit 1; }
  sat=$(( ok / duration ))
  echo "$mta saturation: Gatling, 50 sessions, msgs_per_conn=$per_conn warmup=${warmup}s duration=${duration}s" \
       "accepted_ok=$ok ko=$(accepted "$REPORT/js/stats.js" numberOfRequests ko) accept_msgs_per_s=$sat" \
       "p99_ms=$(accepted "$REPORT/js/stats.js" percentiles4) cpu_s_server=$CPU_SERVER cpu_s_loadgen=$CPU_LOADGEN report=$REPORT"
fi
# let the queue drain before the latency runs: the sink's count has stopped growing for 2 s
if [[ -n ${t0:-}${ok:-} ]]; then
  last=-1 same=0
  for _ in $(seq 1 600); do
    n=$(sink_count "$BENCH_WORK/sink-latency.out")
    if [[ $n == "$last" ]]; then same=$(( same + 1 )); [[ $same -ge 10 ]] && break; else same=0 last=$n; fi
    sleep 0.2
  done
fi

IFS=, read -ra FR <<<"$fractions"
for f in "${FR[@]}"; do
  # the message rate is the fraction of saturation; each session carries per_conn messages
  rate=$(( sat * f / 100 ))
  sessions=$(awk -v r="$rate" -v c="$per_conn" 'BEGIN { printf "%.3f", r / c }')
  [[ $rate -gt 0 ]] || { echo "load=${f}%: $f% of $sat msgs/s is no load; skipped"; continue; }
  gatling "$f" SteadyRelaySimulation -Drate="$sessions" || continue
  stats=$REPORT/js/stats.js
  spread=$(slow_seconds "$REPORT")
  echo "$mta load=${f}% rate=$rate/s sessions=$sessions/s msgs_per_conn=$per_conn warmup=${warmup}s" \
       "duration=${duration}s saturation_by=$sat_by accepted_ok=$(accepted "$stats" numberOfRequests)" \
       "ko=$(accepted "$stats" numberOfRequests ko) p50_ms=$(accepted "$stats" percentiles1)" \
       "p95_ms=$(accepted "$stats" percentiles3) p99_ms=$(accepted "$stats" percentiles4)" \
       "max_ms=$(accepted "$stats" maxResponseTime) mean_ms=$(accepted "$stats" meanResponseTime)" \
       "seconds_p99_over_10ms=${spread% *} worst_second_p99_ms=${spread#* }" \
       "cpu_s_server=$CPU_SERVER cpu_s_loadgen=$CPU_LOADGEN report=$REPORT"
done
