#!/bin/bash
# warmup-bench.sh: how smarthost's relay rate grows while its JIT warms up, batch by batch,
# from a cold start.
#
#   load-tests/bin/warmup-bench.sh [-b BATCHES] [-n MESSAGES] [-l SIZE] [-s SESSIONS]
#
#   -b  number of batches (default 8)          -n  messages per batch (default 10000)
#   -l  message size in octets (default 2048)  -s  smtp-source sessions (default 20)
#
# smtp-source -> smarthost -> smtp-sink on loopback, as relay-bench.sh's smarthost side, with
# one sink for the whole run. Each batch is one smtp-source run; it ends when the sink has every
# message so far. Per batch: msgs/s end to end, the server's CPU ms per message (/proc
# utime+stime, all threads: the JIT compiler's included) and the time since the first batch
# started. Compare JIT settings by running it twice, e.g. with
# SMARTHOST_SERVER_JAVA_OPTS=-XX:TieredStopAtLevel=1 (C1 only) and without.
# Needs root, Debian's postfix (smtp-source, smtp-sink), bc and python3 (the sink watcher of
# bench-lib.sh). Loopback only; waits are bounded.
set -u
. "$(dirname "$0")/bench-lib.sh"

batches=8 n=10000 size=2048 sessions=20
while getopts "b:n:l:s:h" o; do
  case $o in
    b) batches=$OPTARG ;; n) n=$OPTARG ;; l) size=$OPTARG ;; s) sessions=$OPTARG ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
for v in "$batches" "$n" "$size" "$sessions"; do
  [[ $v =~ ^[0-9]+$ && $v -gt 0 ]] || die "positive numbers only: '$v'"
done
[[ $(id -u) == 0 ]] || die "must run as root (smtp-sink -u nobody needs it)"
command -v smtp-source >/dev/null || die "smtp-source not found (Debian package postfix)"
command -v bc >/dev/null || die "bc not found"
command -v python3 >/dev/null || die "python3 not found (the sink watcher)"
mkdir -p "$BENCH_WORK"; chmod 755 "$BENCH_WORK"
snapshot_smarthost

smarthost_alone warmup
out=$BENCH_WORK/sink-warmup-bench.out
start_sink "$SINK" "$out" || exit 1
pid=$SH_PID
note "JVM options for the server: ${SMARTHOST_SERVER_JAVA_OPTS:-(defaults)}"

total=0 start=$(now)
for b in $(seq 1 "$batches"); do
  total=$((total + n))
  watch_start "$out" "$total"   # the sink's counter every 5 ms: the batch's end to ~5 ms
  c0=$(cpu_ticks "$pid") t0=$(now)
  timeout 1800 smtp-source -s "$sessions" -m "$n" -l "$size" -f sender@example.org -t rcpt@example.net \
    "127.0.0.1:$SH_IN" >"$BENCH_WORK/source.err" 2>&1
  t1=$(watch_end 300) c1=$(cpu_ticks "$pid") got=$(sink_count "$out")
  line="batch=$b messages=$n size=$size sessions=$sessions"
  line="$line e2e_msgs_per_s=$(echo "scale=1; $n/($t1-$t0)" | bc)"
  line="$line server_cpu_ms_per_msg=$(cpu_ms_per_msg "$c0" "$c1" "$n")"
  line="$line elapsed_s=$(echo "scale=1; ($t1-$start)/1" | bc)"
  [[ $got -ge $total ]] || line="$line INCOMPLETE($got/$total at the sink)"
  [[ -s $BENCH_WORK/source.err ]] && line="$line client_errors=$(grep -c . "$BENCH_WORK/source.err")"
  echo "$line"
  [[ $got -ge $total ]] || exit 1
done
