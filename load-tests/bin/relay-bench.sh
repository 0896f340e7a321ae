#!/bin/bash
# relay-bench.sh: end-to-end relay throughput, smarthost vs Postfix, in one run on one machine.
#
#   load-tests/bin/relay-bench.sh [-w WORKLOADS] [-m MTAS]
#
#   -w  comma-separated workloads, or "quick" (default: small20) or "all":
#         small20   2 KB x 10,000 messages, 20 client sessions
#         small100  2 KB x 10,000 messages, 100 client sessions
#         medium    100 KB x 2,000 messages, 20 sessions
#         rcpt5     5 recipients x 5,000 messages, 20 sessions
#         backlog   2 KB x 2,000 messages while the sink answers RCPT with 4xx; the sink recovers
#                   30 s after the start and the queue must drain (both MTAs retry with
#                   minimal_backoff_time=10s, maximal_backoff_time=20s, queue_run_delay=10s)
#         outage    2 KB x 10,000 messages, 20 sessions, while the relayhost refuses connections (the
#                   destination dies, the rest is deferred as "delivery temporarily suspended");
#                   then the sink starts and the administrator runs postqueue -f: the drain rate
#                   from postqueue -f to the last message (default backoff times on both MTAs)
#   -m  comma-separated MTAs: postfix,smarthost,direct (default all three). "direct" is no MTA:
#       smtp-source sends straight to smtp-sink, the same workload, no warm-up. It is the ceiling
#       of this machine with these load generators: neither MTA can relay faster than the two
#       tools exchange mail with each other (on a 2-core VM, 100 KB mail reached ~1,000-1,250
#       msgs/s direct, with smtp-sink, one process, at a whole core). The summary gives each
#       MTA's rate as a share of it. Not for backlog and outage, which measure a queue.
#
# Warm-up: before every measured workload each MTA, freshly started, relays WARMUP messages
# (default 5000; 40000 reaches smarthost's steady state; WARMUP=0 for a cold start) of the
# workload's size and recipient count over 20 sessions to a sink, unmeasured, and the measured
# workload starts once the sink has them all (same for Postfix and smarthost). More rounds follow
# until the MTA has run 75 s and smarthost's JIT has quieted (WARMUP_PIDFILE in bench-lib.sh).
# Each run's line says when it started (mta_uptime_s), for smarthost how many seconds its JIT
# compilers worked meanwhile (mta_jit_s), and how much of one core smtp-sink used (sink_cpu_pct:
# smtp-sink is one process; near 100 it, not the MTA, sets the rate).
#
# Path: smtp-source -> MTA on 127.0.0.1 -> smtp-sink on 127.0.0.1, fsync-durable queues on both
# MTAs (Postfix always syncs before 250; smarthost's 250 after DATA means fsynced). Prints one
# line per MTA and workload and the ratio smarthost/Postfix of end-to-end msgs/s.
# RUNS=N (default 1) measures each workload N times after its warm-up; the ratio uses the medians.
# STEAL_WARN=P (default 5): the summary warns of every MTA and workload with a run in which the
# hypervisor took P% of the CPU or more (steal_pct); on a shared VM that hour's machine is slower.
# Needs root, Debian's postfix, bc and python3, and ../shared/bench/postfix-baseline.sh
# beside the repository. Loopback only; every wait is bounded.
set -u
. "$(dirname "$0")/bench-lib.sh"

# name -> "messages sessions size recipients"
declare -A SPEC=(
  [small20]="10000 20 2048 1" [small100]="10000 100 2048 1" [medium]="2000 20 102400 1"
  [rcpt5]="5000 20 2048 5" [backlog]="2000 20 2048 1" [outage]="10000 20 2048 1")
BACKLOG_RECOVER=${BACKLOG_RECOVER:-30}      # seconds of 4xx before the sink recovers
BACKLOG_MAX_WAIT=${BACKLOG_MAX_WAIT:-600}   # seconds to wait for the drain
OUTAGE_SETTLE=${OUTAGE_SETTLE:-5}           # seconds between the last message and the sink's start
RUNS=${RUNS:-1}                             # measured runs per MTA and workload, after one warm-up
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, got '$RUNS'"
BACKOFF="minimal_backoff_time = 10s
maximal_backoff_time = 20s
queue_run_delay = 10s"

ALL=small20,small100,medium,rcpt5,backlog,outage
DIRECT_OK=1 MTAS_DEFAULT=postfix,smarthost,direct parse_workloads_and_mtas "$@"
require_tools python3
[[ " ${MT[*]} " == *" postfix "* ]] && require_baseline
[[ " ${MT[*]} " == *" smarthost "* ]] && snapshot_smarthost

mkdir -p "$BENCH_WORK"; chmod 755 "$BENCH_WORK"
PF_DIR=$BENCH_WORK/postfix SH_DIR=$BENCH_WORK/smarthost
cleanup() {
  stop_sinks
  [[ -d $PF_DIR ]] && postfix_stop "$PF_DIR"
  [[ -d $SH_DIR && -n ${SH_IN:-} ]] && smarthost_stop "$SH_DIR" "$SH_IN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

declare -A RATE CPU STEAL
# A run in which the hypervisor ran other guests on our vCPUs for this share of the time or more
# (/proc/stat's steal) measured a slower machine than the runs beside it: the summary says so.
STEAL_WARN=${STEAL_WARN:-5}
[[ $STEAL_WARN =~ ^[0-9]+$ ]] || die "STEAL_WARN must be a whole percentage, got '$STEAL_WARN'"
printf '%-9s %-9s %s\n' workload mta result

# The measured run: ../shared/bench/relay-bench.sh's method (a new smtp-sink, smtp-source with the
# workload's shape, msgs/s from smtp-source's start to the sink's last message) with the end
# taken by sink_watch to ~5 ms instead of by 0.1 s polling. Prints the same key=value line, and
# the CPU the MTA used per delivered message over the same interval (mta_cpu_ms_per_msg: all of
# Postfix's processes, smarthost's JVM), which this VM's drift moves less than the rate, and how
# busy the whole machine was (busy_pct; steal_pct is time the hypervisor gave to others).
RELAY_MAX_WAIT=${RELAY_MAX_WAIT:-120}   # seconds after smtp-source ends for the last message
run_relay() {  # IN SINK N S L R PIDFILE
  local in=$1 sink=$2 n=$3 s=$4 l=$5 r=$6 pidfile=$7 out=$BENCH_WORK/sink-measured.out t0 t1 t2 got c0 c1 h0 h1 up j0 j1 k0 k1
  start_sink "$sink" "$out" || return 1
  watch_start "$out" "$n"
  sleep 0.5   # the watcher's interpreter has started; as the shared script, a pause before t0
  j0=$(jit_seconds "$pidfile")   # jstat is a JVM of its own: before the host CPU sample
  c0=$(mta_cpu_ticks "$pidfile") h0=$(host_cpu) up=$(mta_uptime "$pidfile") k0=$(cpu_ticks "${SINK_PIDS[-1]}")
  t0=$(now)
  timeout 1800 smtp-source -s "$s" -m "$n" -l "$l" -r "$r" -f sender@example.org -t rcpt@example.net "127.0.0.1:$in"
  t1=$(now)
  t2=$(watch_end "$RELAY_MAX_WAIT")
  c1=$(mta_cpu_ticks "$pidfile") h1=$(host_cpu) k1=$(cpu_ticks "${SINK_PIDS[-1]}") j1=$(jit_seconds "$pidfile")
  got=$(sink_count "$out")
  stop_sinks
  local jit=; [[ $j0 != n/a && $j1 != n/a ]] && jit=" mta_jit_s=$(echo "$j1 - $j0" | bc)"
  echo "messages=$n sessions=$s size=$l rcpts=$r delivered=$got accept_s=$(echo "$t1-$t0"|bc) e2e_s=$(echo "$t2-$t0"|bc) e2e_msgs_per_s=$(echo "scale=1; $got/($t2-$t0)"|bc) mta_cpu_ms_per_msg=$(cpu_ms_per_msg "$c0" "$c1" "$got") $(host_share "$h0" "$h1") sink_cpu_pct=$(echo "scale=0; 100 * ($k1 - $k0) / $CLK_TCK / ($t2 - $t0)" | bc) mta_uptime_s=$up$jit"
}

# The 4xx-then-recover workload: the shared relay-bench.sh has no deferring sink. The drain's end
# is the watcher's too.
run_backlog() {  # IN SINK N S L R -> prints key=value like relay-bench.sh
  local in=$1 sink=$2 n=$3 s=$4 l=$5 r=$6 out1=$BENCH_WORK/sink-defer.out out2=$BENCH_WORK/sink-ok.out
  start_sink "$sink" "$out1" -r rcpt || return 1
  local t0 t1 trec t2 early got=0
  t0=$(now)
  smtp-source -s "$s" -m "$n" -l "$l" -r "$r" -f sender@example.org -t rcpt@example.net "127.0.0.1:$in"
  t1=$(now)
  while [[ $(echo "$(now) - $t0 < $BACKLOG_RECOVER" | bc) == 1 ]]; do sleep 0.5; done
  early=$(sink_count "$out1")
  stop_sinks
  start_sink "$sink" "$out2" || return 1
  trec=$(now)
  watch_start "$out2" "$n"
  t2=$(watch_end "$BACKLOG_MAX_WAIT")
  got=$(sink_count "$out2")
  stop_sinks
  echo "messages=$n sessions=$s size=$l rcpts=$r delivered=$got delivered_while_deferring=$early accept_s=$(echo "$t1-$t0"|bc) drain_s=$(echo "$t2-$trec"|bc) e2e_msgs_per_s=$(echo "scale=1; $got/($t2-$trec)"|bc)"
}

# The relayhost is down while the mail arrives; then it is back and the administrator flushes the
# queue (FLUSH: the MTA's postqueue -f). Both MTAs have to bring the dead destination back for the
# deferred mail to go out before minimal_backoff_time (300 s) has passed.
run_outage() {  # IN SINK N S L R FLUSH... -> prints key=value like run_backlog
  local in=$1 sink=$2 n=$3 s=$4 l=$5 r=$6 out=$BENCH_WORK/sink-outage.out t0 t1 t2 t3 t4 got; shift 6
  t0=$(now)
  smtp-source -s "$s" -m "$n" -l "$l" -r "$r" -f sender@example.org -t rcpt@example.net "127.0.0.1:$in"
  t1=$(now)
  sleep "$OUTAGE_SETTLE"   # the last messages have had their refused attempt or their suspension
  start_sink "$sink" "$out" || return 1
  watch_start "$out" "$n"
  t2=$(now)
  "$@" >"$BENCH_WORK/flush.out" 2>&1 || echo "flush: $* failed: $(head -1 "$BENCH_WORK/flush.out")" >&2
  t3=$(now)
  t4=$(watch_end "$BACKLOG_MAX_WAIT")
  got=$(sink_count "$out")
  stop_sinks
  echo "messages=$n sessions=$s size=$l rcpts=$r delivered=$got accept_s=$(echo "$t1-$t0"|bc) postqueue_f_s=$(echo "$t3-$t2"|bc) drain_s=$(echo "$t4-$t2"|bc) e2e_msgs_per_s=$(echo "scale=1; $got/($t4-$t2)"|bc)"
}

run_workload() {  # MTA WORKLOAD IN SINK: RUNS measured runs after one warm-up; the median is the rate
  local mta=$1 w=$2 in=$3 sink=$4 warm= run rates=() cpus=()
  read -r n s l r <<<"${SPEC[$w]}"
  WARMUP_PIDFILE=$MTA_PIDFILE warm_up "$in" "$sink" "$l" "$r" || warm=" WARMUP-INCOMPLETE"
  for run in $(seq 1 "$RUNS"); do
    measure_once "$mta" "$w" "$in" "$sink"
    rates+=("$LAST_RATE") cpus+=("$LAST_CPU")
  done
  RATE[$mta,$w]=$(median "${rates[@]}") CPU[$mta,$w]=$(median "${cpus[@]}")
  [[ $RUNS -gt 1 ]] && printf '%-9s %-9s median of %d runs: %s msgs/s, %s ms of CPU per message\n' "$w" "$mta" \
    "$RUNS" "${RATE[$mta,$w]}" "${CPU[$mta,$w]}"
}

share() {  # RATE CEILING -> "NN%" or n/a
  [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && [[ $(echo "$2 > 0" | bc) == 1 ]] || { echo n/a; return; }
  echo "$(echo "scale=0; 100 * $1 / $2" | bc)%"
}

median() {  # numbers or n/a -> the median of the numbers (the mean of the middle two for an even count), or n/a
  printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2];
                           else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

measure_once() {  # MTA WORKLOAD IN SINK: one measured run; prints its line, sets LAST_RATE
  local mta=$1 w=$2 in=$3 sink=$4 line
  if [[ $w == backlog ]]; then
    line=$(run_backlog "$in" "$sink" "$n" "$s" "$l" "$r" 2>"$BENCH_WORK/source.err")
  elif [[ $w == outage ]]; then
    line=$(run_outage "$in" "$sink" "$n" "$s" "$l" "$r" "${FLUSH[@]}" 2>"$BENCH_WORK/source.err")
  else
    line=$(run_relay "$in" "$sink" "$n" "$s" "$l" "$r" "$MTA_PIDFILE" 2>"$BENCH_WORK/source.err")
  fi
  reap_sink_on "$sink"
  local errs; errs=$(grep -c . "$BENCH_WORK/source.err")
  [[ $errs -gt 0 ]] && line="$line client_errors=$errs (first: $(head -1 "$BENCH_WORK/source.err"))"
  local delivered; delivered=$(grep -o 'delivered=[0-9]*' <<<"$line" | head -1 | cut -d= -f2)
  [[ ${delivered:-0} -lt $n ]] && line="$line INCOMPLETE(${delivered:-0}/$n delivered)"
  line="warmup=$WARMUP $line$warm"
  printf '%-9s %-9s %s\n' "$w" "$mta" "$line"
  LAST_RATE=$(grep -o 'e2e_msgs_per_s=[0-9.]*' <<<"$line" | cut -d= -f2)
  LAST_CPU=$(grep -o 'mta_cpu_ms_per_msg=[0-9.]*' <<<"$line" | cut -d= -f2)
  [[ -n $LAST_RATE && $line != *INCOMPLETE* ]] || LAST_RATE=n/a
  [[ -n $LAST_CPU && $line != *INCOMPLETE* ]] || LAST_CPU=n/a
  local steal; steal=$(grep -o 'steal_pct=[0-9]*' <<<"$line" | cut -d= -f2)
  [[ -n $steal && $steal -gt ${STEAL[$mta,$w]:-0} ]] && STEAL[$mta,$w]=$steal
  return 0
}

for w in "${WL[@]}"; do
  for m in "${MT[@]}"; do
    IN=$(free_port); SINK=$(free_port)
    while [[ $SINK == "$IN" ]]; do SINK=$(free_port); done
    extra=; [[ $w == backlog ]] && extra=$BACKOFF
    if [[ $m == direct ]]; then
      if [[ $w == backlog || $w == outage ]]; then
        printf '%-9s %-9s %s\n' "$w" direct "n/a: needs a queue"; RATE[direct,$w]=n/a; continue
      fi
      # smtp-source to the sink's own port; no MTA, so no CPU, uptime or JIT figures
      MTA_PIDFILE=/nonexistent WARMUP=0 run_workload direct "$w" "$SINK" "$SINK"
    elif [[ $m == postfix ]]; then
      if ! postfix_start "$PF_DIR" "$IN" "$SINK"; then
        printf '%-9s %-9s %s\n' "$w" postfix "Postfix baseline did not start"; RATE[postfix,$w]=n/a; continue
      fi
      [[ -n $extra ]] && postfix_tune "$PF_DIR" "minimal_backoff_time=10s" "maximal_backoff_time=20s" "queue_run_delay=10s"
      MTA_PIDFILE=$PF_DIR/queue/pid/master.pid FLUSH=(postqueue -c "$PF_DIR/etc" -f)
      run_workload postfix "$w" "$IN" "$SINK"
      postfix_stop "$PF_DIR"
    else
      SH_IN=$IN
      smarthost_config "$SH_DIR" "$IN" "$SINK" "$extra"
      if ! smarthost_start "$SH_DIR" "$IN" 2>"$BENCH_WORK/smarthost-start.err"; then
        printf '%-9s %-9s %s\n' "$w" smarthost "$(cat "$BENCH_WORK/smarthost-start.err") (delivered=0)"
        RATE[smarthost,$w]=n/a
        smarthost_stop "$SH_DIR" "$IN"
        continue
      fi
      MTA_PIDFILE=$SH_DIR/queue/pid/master.pid FLUSH=("$SMARTHOST_POSTQUEUE" -c "$SH_DIR/etc" -f)
      run_workload smarthost "$w" "$IN" "$SINK"
      cp "$SH_DIR/maillog" "$BENCH_WORK/smarthost-$w.maillog" 2>/dev/null
      smarthost_stop "$SH_DIR" "$IN"
    fi
  done
done

echo
echo "end-to-end msgs/s (backlog, outage: drain rates); ratio = smarthost / Postfix"
for w in "${WL[@]}"; do
  printf '%-9s postfix=%-8s smarthost=%-8s ratio=%s\n' "$w" "${RATE[postfix,$w]:-n/a}" \
    "${RATE[smarthost,$w]:-n/a}" "$(ratio "${RATE[smarthost,$w]:-}" "${RATE[postfix,$w]:-}")"
done
if [[ " ${MT[*]} " == *" direct "* ]]; then
  echo
  echo "each MTA's end-to-end rate as a share of smtp-source -> smtp-sink direct (the machine's ceiling with these tools)"
  for w in "${WL[@]}"; do
    printf '%-9s direct=%-8s postfix=%-6s smarthost=%s\n' "$w" "${RATE[direct,$w]:-n/a}" \
      "$(share "${RATE[postfix,$w]:-}" "${RATE[direct,$w]:-}")" "$(share "${RATE[smarthost,$w]:-}" "${RATE[direct,$w]:-}")"
  done
fi
echo
echo "the MTA's CPU per relayed message (ms, all its processes; backlog, outage: n/a)"
for w in "${WL[@]}"; do
  printf '%-9s postfix=%-8s smarthost=%-8s\n' "$w" "${CPU[postfix,$w]:-n/a}" "${CPU[smarthost,$w]:-n/a}"
done
for w in "${WL[@]}"; do
  for m in "${MT[@]}"; do
    if [[ ${STEAL[$m,$w]:-0} -ge $STEAL_WARN ]]; then
      echo "warning: $w $m: the hypervisor took up to ${STEAL[$m,$w]:-0}% of the CPU (steal) in these runs; its figures and ratios compare a slower machine"
    fi
  done
done
