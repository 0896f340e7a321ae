#!/bin/bash
# latency-bench.sh: smarthost's accept latency (Gatling "message accepted": MAIL FROM sent ->
# 250 after the final ".") at fractions of its saturation rate, while it relays to smtp-sink.
#
#   load-tests/bin/latency-bench.sh [-m MTA] [-f FRACTIONS] [-d SECONDS] [-w SECONDS] [-c N] [-S RATE]
#
#   -m  smarthost (default) or postfix (the baseline, ../shared/bench/postfix-baseline.sh)
#   -f  comma-separated percentages of the saturation rate (default 50,90)
#   -d  seconds of measured steady load per fraction (default 60)
#   -w  seconds of unmeasured Gatling warm-up at the same rate before each measurement (default 20)
#   -c  messages per SMTP connection (default 1); the session rate is the message rate / N
#   -S  saturation rate in msgs/s; default: measured first
#
# 1. the MTA (fresh, relayhost = smtp-sink on loopback) gets the unmeasured warm-up
#    (WARMUP messages, default 5000, as in relay-bench.sh);
# 2. saturation: smtp-source with 50 concurrent sessions, one 2 KB message per session, sends
#    SAT_MESSAGES (default 20000) as fast as the server accepts them: the accept rate in
#    msgs/s is the saturation rate, with delivery running at the same time;
# 3. for each fraction: Gatling's SteadyRelaySimulation (2 KB, 1 recipient, -c messages per
#    session) at that fraction of the saturation rate in msgs/s, i.e. rate/N sessions/s: first
#    -w seconds of warm-up (Gatling's own JIT warm-up; reported as "warm-up: ..." rows), then,
#    at the same arrival rate without a pause, -d seconds measured. The "message accepted" p50/p95/p99/max come from the measured row of
#    the report's js/stats.js; the SMTP commands get no rows of their own (-DcommandStats=false:
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

fractions=50,90 duration=60 warmup=20 per_conn=1 sat= mta=smarthost
while getopts "m:f:d:w:c:S:h" o; do
  case $o in
    m) mta=$OPTARG ;; f) fractions=$OPTARG ;; d) duration=$OPTARG ;; S) sat=$OPTARG ;;
    w) warmup=$OPTARG ;; c) per_conn=$OPTARG ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
[[ $duration =~ ^[0-9]+$ && $duration -gt 0 ]] || die "-d must be a positive number of seconds, got '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "-w must be a number of seconds (0: no Gatling warm-up), got '$warmup'"
[[ $per_conn =~ ^[0-9]+$ && $per_conn -gt 0 ]] || die "-c must be a positive number of messages, got '$per_conn'"
[[ -z $sat || $sat =~ ^[0-9]+$ ]] || die "-S must be a whole number of msgs/s, got '$sat'"
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

# The MTA's master pid, from the pid file bench-lib.sh's stop functions use.
master_pid() {
  local f dir=$SH_DIR
  [[ $mta == postfix ]] && dir=$PF_DIR
  for f in "$dir/queue/pid/master.pid" "$dir/data/master.pid"; do
    [[ -f $f ]] && { tr -d ' \n' <"$f"; return; }
  done
}

IFS=, read -ra FR <<<"$fractions"
for f in "${FR[@]}"; do
  # the message rate is the fraction of saturation; each session carries per_conn messages
  rate=$(( sat * f / 100 ))
  sessions=$(awk -v r="$rate" -v c="$per_conn" 'BEGIN { printf "%.3f", r / c }')
  [[ $rate -gt 0 ]] || { echo "load=${f}%: $f% of $sat msgs/s is no load; skipped"; continue; }
  server=$(master_pid)
  [[ -n $server ]] || note "WARNING: no master.pid for $mta: its CPU is not measured"
  cpu0=$(cpu_seconds "${server:-0}")
  TIMEFORMAT='%3U %3S'
  # the inner braces keep the command's own 2>&1 from taking time's report along
  { time { (cd "$REPO_ROOT" && timeout $(( warmup + duration + 900 )) mvn -B -o -q -pl load-tests gatling:test \
      -Dgatling.simulationClass=org.smarthost.loadtests.simulations.SteadyRelaySimulation \
      -Dport="$SH_IN" -Drate="$sessions" -DmessagesPerConnection="$per_conn" \
      -Dwarmup="$warmup" -Dduration="$duration" -Ddrain=60 -DmaxFailedPercent=100 -DcommandStats=false \
      ${GATLING_JVM_ARGS:+"-Dgatling.jvmArgs=$GATLING_JVM_ARGS"}) \
      >"$BENCH_WORK/gatling-$f.out" 2>&1 ; } ; } 2>"$BENCH_WORK/gatling-$f.time"
  rc=$?
  cpu1=$(cpu_seconds "${server:-0}")
  cpu_server=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
  cpu_loadgen=$(awk 'NF == 2 { printf "%.2f", $1 + $2 }' "$BENCH_WORK/gatling-$f.time")
  cpu_loadgen=${cpu_loadgen:-?}
  report=$(ls -td "$REPO_ROOT"/load-tests/target/gatling/steadyrelaysimulation-* 2>/dev/null | head -1)
  [[ -f $report/js/stats.js ]] || { echo "load=${f}% rate=$rate: no Gatling report (mvn exit $rc; see $BENCH_WORK/gatling-$f.out)"; continue; }
  python3 - "$report/js/stats.js" "$f" "$rate" "$duration" "$mta" "$sessions" "$per_conn" "$warmup" \
      "$cpu_server" "$cpu_loadgen" <<'PY'
import re, sys
path, frac, rate, duration, mta, sessions, per_conn, warmup, cpu_server, cpu_loadgen = sys.argv[1:]
s = open(path).read()
# exactly the measured row: the warm-up's is "warm-up: message accepted"
m = re.search(r'"name": "message accepted",', s)
block = s[m.start():m.start() + 3000] if m else ""
def v(key, part="ok"):
    m = re.search('"%s": \\{[^}]*"%s": "([^"]*)"' % (key, part), block)
    return m.group(1) if m else "?"
print(f"{mta} load={frac}% rate={rate}/s sessions={sessions}/s msgs_per_conn={per_conn} warmup={warmup}s duration={duration}s "
      f"accepted_ok={v('numberOfRequests')} ko={v('numberOfRequests','ko')} "
      f"p50_ms={v('percentiles1')} p95_ms={v('percentiles3')} p99_ms={v('percentiles4')} max_ms={v('maxResponseTime')} "
      f"mean_ms={v('meanResponseTime')} cpu_s_server={cpu_server} cpu_s_loadgen={cpu_loadgen} "
      f"report={path.rsplit('/js/', 1)[0]}")
PY
done
