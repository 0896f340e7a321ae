#!/bin/bash
# capacity-bench.sh: smarthost's memory with many deferred messages, and the time from
# `postfix start` to the first delivery with a full queue.
#
#   load-tests/bin/capacity-bench.sh [-n COUNTS] [-R] [-s SESSIONS]
#
#   -n  comma-separated numbers of deferred messages, each measured on a fresh instance
#       (default 100000)
#   -R  skip the restart phase (only memory)
#   -s  smtp-source sessions for the injection (default 20)
#
# For each N:
#  1. a fresh smarthost whose relayhost is a closed loopback port and whose
#     minimal_backoff_time/maximal_backoff_time are hours, so every message is tried once,
#     deferred ("Connection refused") and stays deferred;
#  2. smtp-source injects N messages of 2 KB (1 recipient each); the run waits until the
#     maillog has N "status=deferred" lines;
#  3. memory: VmRSS and VmHWM of the server JVM (/proc/PID/status), then `jcmd PID GC.run`
#     (a full GC) and `jcmd PID GC.heap_info`: the heap in use after a full GC is the live
#     data; the top of `jcmd PID GC.class_histogram` is kept in BENCH_WORK/capacity-N.histo.
#     The same is measured on the empty server first, so the per-message cost is the difference;
#     measured just after the injection and again PASSIVATE_WAIT s later (default 45: idle
#     MessageActors are passivated after 30 s), then after a restart with the same
#     configuration (index rebuilt from the journal; time until `postqueue -p` answers);
#  4. restart (unless -R): `postfix stop`, relayhost -> a working smtp-sink, backoff 1s (so
#     every message is due at once, as after `postqueue -f`), then `postfix start` is timed
#     until the port listens, until the sink has the first message, and until it has all N
#     (at most RESTART_MAX_WAIT s, default 900).
# Prints key=value lines. Needs root, Debian's postfix (smtp-source, smtp-sink), bc, ss, and a
# JDK's jcmd. Loopback only; every wait is bounded; everything started is stopped on exit.
set -u
. "$(dirname "$0")/bench-lib.sh"

counts=100000 restart=1 sessions=20
while getopts "n:Rs:h" o; do
  case $o in
    n) counts=$OPTARG ;; R) restart=0 ;; s) sessions=$OPTARG ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
require_tools jcmd
snapshot_smarthost
RESTART_MAX_WAIT=${RESTART_MAX_WAIT:-900}
INJECT_MAX_WAIT=${INJECT_MAX_WAIT:-3600}
PASSIVATE_WAIT=${PASSIVATE_WAIT:-45}
mkdir -p "$BENCH_WORK"; chmod 755 "$BENCH_WORK"
SH_DIR=$BENCH_WORK/capacity
cleanup() {
  stop_sinks
  [[ -d $SH_DIR && -n ${SH_IN:-} ]] && smarthost_stop "$SH_DIR" "$SH_IN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server_pid() { tr -d ' \n' <"$SH_DIR/queue/pid/master.pid" 2>/dev/null; }
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mib() { echo "scale=0; $1 / 1024" | bc; }

# memory PID LABEL: prints rss/hwm/heap figures (MiB) after a full GC
memory() {
  local pid=$1 label=$2 used committed
  jcmd "$pid" GC.run >/dev/null 2>&1; sleep 1; jcmd "$pid" GC.run >/dev/null 2>&1
  local info; info=$(jcmd "$pid" GC.heap_info 2>&1)
  # G1: " garbage-first heap   total 123456K, used 7890K [..." (Serial/Parallel print similar)
  used=$(grep -o 'used [0-9]*K' <<<"$info" | head -1 | grep -o '[0-9]*')
  committed=$(grep -o 'total [0-9]*K' <<<"$info" | head -1 | grep -o '[0-9]*')
  echo "$label rss_mib=$(mib "$(kib "$pid" VmRSS)") rss_peak_mib=$(mib "$(kib "$pid" VmHWM)") heap_used_after_full_gc_mib=$(mib "${used:-0}") heap_committed_mib=$(mib "${committed:-0}")"
  HEAP_USED_KIB=${used:-0}
}

deferred_count() { grep -c 'status=deferred' "$SH_DIR/maillog" 2>/dev/null || echo 0; }

IFS=, read -ra NS <<<"$counts"
for n in "${NS[@]}"; do
  SH_IN=$(free_port); CLOSED=$(free_port); SINK=$(free_port)
  smarthost_config "$SH_DIR" "$SH_IN" "$CLOSED" "minimal_backoff_time = 10000s
maximal_backoff_time = 20000s"
  smarthost_start "$SH_DIR" "$SH_IN" || exit 1
  pid=$(server_pid)
  [[ $pid =~ ^[0-9]+$ ]] || { echo "no server pid in $SH_DIR/queue/pid/master.pid" >&2; exit 1; }
  sleep 2
  memory "$pid" "n=0 (empty queue)"; heap0=$HEAP_USED_KIB

  t0=$(now)
  timeout "$INJECT_MAX_WAIT" smtp-source -s "$sessions" -m "$n" -l 2048 -f sender@example.org \
    -t rcpt@example.net "127.0.0.1:$SH_IN" >"$BENCH_WORK/source.err" 2>&1
  t1=$(now)
  errs=$(grep -c . "$BENCH_WORK/source.err")
  for _ in $(seq 1 $(( INJECT_MAX_WAIT / 2 ))); do
    [[ $(deferred_count) -ge $n ]] && break; sleep 2
  done
  t2=$(now)
  echo "n=$n injected_s=$(echo "$t1-$t0"|bc) accept_msgs_per_s=$(echo "scale=1; $n/($t1-$t0)"|bc) all_deferred_s=$(echo "$t2-$t0"|bc) deferred=$(deferred_count) client_errors=$errs"
  memory "$pid" "n=$n (deferred, just injected)"
  # Waiting MessageActors passivate after the message idle timeout (30 s): then the queue
  # costs only its index entries.
  sleep "$PASSIVATE_WAIT"
  memory "$pid" "n=$n (deferred, after ${PASSIVATE_WAIT}s idle)"
  echo "n=$n heap_per_message_bytes=$(( (HEAP_USED_KIB - heap0) * 1024 / n ))"
  jcmd "$pid" GC.class_histogram 2>/dev/null | head -25 >"$BENCH_WORK/capacity-$n.histo"

  # Restart with the same configuration: the index is rebuilt from the journal, nothing is due.
  timeout 300 "$SMARTHOST_POSTFIX" -c "$SH_DIR/etc" stop >>"$SH_DIR/start.log" 2>&1
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  t0=$(now)
  smarthost_start "$SH_DIR" "$SH_IN" || exit 1
  t1=$(now)
  pid=$(server_pid)
  # The index is ready when postqueue can list the queue (it asks the index).
  timeout 600 "$SMARTHOST_POSTQUEUE" -c "$SH_DIR/etc" -p >"$BENCH_WORK/capacity-postqueue.out" 2>&1
  t2=$(now)
  echo "n=$n restart (nothing due): listening_s=$(echo "$t1-$t0"|bc) postqueue_p_done_s=$(echo "$t2-$t0"|bc) listed=$(grep -o 'in [0-9]* Request' "$BENCH_WORK/capacity-postqueue.out" | grep -o '[0-9]*')"
  memory "$pid" "n=$n (after restart, index rebuilt)"
  echo "n=$n after restart: heap_per_message_bytes=$(( (HEAP_USED_KIB - heap0) * 1024 / n ))"
  jcmd "$pid" GC.class_histogram 2>/dev/null | head -25 >"$BENCH_WORK/capacity-$n-restarted.histo"

  if [[ $restart == 1 ]]; then
    timeout 300 "$SMARTHOST_POSTFIX" -c "$SH_DIR/etc" stop >>"$SH_DIR/start.log" 2>&1
    for _ in $(seq 1 600); do listening "$SH_IN" || break; sleep 0.1; done
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "server $pid did not stop" >&2; exit 1; }
    sed -i -e "s/^relayhost = .*/relayhost = [127.0.0.1]:$SINK/" \
      -e 's/^minimal_backoff_time = .*/minimal_backoff_time = 1s/' \
      -e 's/^maximal_backoff_time = .*/maximal_backoff_time = 1s/' "$SH_DIR/etc/main.cf"
    start_sink "$SINK" "$BENCH_WORK/sink-capacity.out" || exit 1
    tl= tf= ta= got=0
    t0=$(now)
    setsid "$SMARTHOST_POSTFIX" -c "$SH_DIR/etc" start >>"$SH_DIR/start.log" 2>&1 &
    SMARTHOST_START_PID=$!
    for _ in $(seq 1 $(( RESTART_MAX_WAIT * 20 ))); do
      [[ -z $tl ]] && listening "$SH_IN" && tl=$(now)
      got=$(sink_count "$BENCH_WORK/sink-capacity.out")
      [[ -z $tf && $got -ge 1 ]] && tf=$(now)
      [[ $got -ge $n ]] && { ta=$(now); break; }
      sleep 0.05
    done
    pid=$(server_pid)
    echo "n=$n restart: listening_s=$(echo "${tl:-$(now)}-$t0"|bc) first_delivery_s=$(echo "${tf:-$(now)}-$t0"|bc) all_delivered_s=$(echo "${ta:-$(now)}-$t0"|bc) delivered=$got${ta:+ drain_msgs_per_s=$(echo "scale=1; $n/($ta-${tf:-$t0})"|bc)}"
    [[ $pid =~ ^[0-9]+$ ]] && echo "n=$n restart: rss_peak_mib=$(mib "$(kib "$pid" VmHWM)")"
    stop_sinks
  fi
  smarthost_stop "$SH_DIR" "$SH_IN"
done
