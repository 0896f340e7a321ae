#!/bin/bash
# profile-bench.sh: where smarthost's CPU goes while it relays, after its JIT has warmed up.
#
#   load-tests/bin/profile-bench.sh [-w WARMUP] [-n MESSAGES] [-l SIZE] [-r RCPTS] [-s SESSIONS] [-e EVENT] [-o PREFIX]
#
#   -w  unmeasured warm-up messages of the same shape (default 40000: C2 has compiled the hot paths;
#       a large share for the compiler threads, "CN CompilerThre", means the JIT is still warming up:
#       100 KB mail needs about 45,000 messages)
#   -n  measured messages (default 10000)       -l  message size in octets (default 2048)
#   -r  recipients per message (default 1)      -s  smtp-source sessions (default 20)
#   -e  cpu (default: async-profiler's itimer, 1 ms) or alloc (heap allocations, counted in bytes:
#       what feeds the young collections; the summary then gives bytes allocated per message,
#       the classes allocated most and the methods allocating them)
#   -o  output prefix (default $BENCH_WORK/profile): PREFIX.collapsed (async-profiler's collapsed
#       stacks, one line per stack, thread name first; feed it to any flame graph tool) and
#       PREFIX.txt (the summary printed at the end)
#
# smtp-source -> smarthost -> smtp-sink on loopback, as relay-bench.sh's smarthost side. After the
# warm-up, async-profiler (tools.profiler:async-profiler 4.1 from Maven Central, fetched with mvn
# into BENCH_WORK, or ASYNC_PROFILER=/path/to/libasyncProfiler.so) is attached with
# `jcmd PID JVMTI.agent_load` in itimer mode (no perf_events needed), and detached when the sink
# has every measured message. Prints msgs/s, the server's CPU ms per message (/proc utime+stime),
# CPU share per thread pool and the hottest frames. Needs root, Debian's postfix, bc, a JDK's
# jcmd, python3, unzip. Loopback only; every wait is bounded.
set -u
. "$(dirname "$0")/bench-lib.sh"

warm=40000 n=10000 size=2048 rcpts=1 sessions=20 prefix= event=cpu
while getopts "w:n:l:r:s:o:e:h" o; do
  case $o in
    w) warm=$OPTARG ;; n) n=$OPTARG ;; l) size=$OPTARG ;; r) rcpts=$OPTARG ;; s) sessions=$OPTARG ;;
    o) prefix=$OPTARG ;; e) event=$OPTARG ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
for v in "$warm" "$n" "$size" "$rcpts" "$sessions"; do
  [[ $v =~ ^[0-9]+$ ]] || die "numbers only: '$v'"
done
case $event in
  cpu) profiler_event=event=itimer,interval=1ms; stop_option= ;;
  alloc) profiler_event=event=alloc; stop_option=,total ;;
  *) die "-e must be cpu or alloc, got '$event'" ;;
esac
require_tools jcmd python3 unzip
mkdir -p "$BENCH_WORK"; chmod 755 "$BENCH_WORK"
prefix=${prefix:-$BENCH_WORK/profile}

lib=${ASYNC_PROFILER:-}
if [[ -z $lib ]]; then
  lib=$BENCH_WORK/async-profiler/linux-x64/libasyncProfiler.so
  if [[ ! -f $lib ]]; then
    mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1 \
        -DoutputDirectory="$BENCH_WORK/async-profiler" >"$BENCH_WORK/async-profiler.log" 2>&1 \
      || die "cannot fetch tools.profiler:async-profiler:4.1 (see $BENCH_WORK/async-profiler.log); set ASYNC_PROFILER"
    unzip -q -o "$BENCH_WORK/async-profiler/async-profiler-4.1.jar" 'linux-x64/*' -d "$BENCH_WORK/async-profiler"
  fi
fi
[[ -f $lib ]] || die "$lib not found"
snapshot_smarthost

smarthost_alone profile
WARMUP=$warm WARMUP_PIDFILE=$SH_DIR/queue/pid/master.pid warm_up "$SH_IN" "$SINK" "$size" "$rcpts" || exit 1
out=$BENCH_WORK/sink-profile.out
start_sink "$SINK" "$out" || exit 1
pid=$SH_PID

# the sink's counter is watched every 5 ms (bench-lib.sh), so the run's end is known to ~5 ms
watch_start "$out" "$n"
# jcmd passes the option string through its own parser: the inner quotes keep it one argument
jcmd "$pid" JVMTI.agent_load "$lib" "\"start,$profiler_event,threads\"" >/dev/null \
  || die "cannot attach async-profiler to $pid"
c0=$(cpu_ticks "$pid"); t0=$(now)
timeout 1800 smtp-source -s "$sessions" -m "$n" -l "$size" -r "$rcpts" -f sender@example.org \
  -t rcpt@example.net "127.0.0.1:$SH_IN" >"$BENCH_WORK/source.err" 2>&1
t1=$(watch_end 600); c1=$(cpu_ticks "$pid")
jcmd "$pid" JVMTI.agent_load "$lib" "\"stop,file=$prefix.collapsed,collapsed$stop_option\"" >/dev/null
got=$(sink_count "$out")
{
  echo "messages=$n delivered=$got size=$size rcpts=$rcpts sessions=$sessions warmup=$warm" \
       "e2e_msgs_per_s=$(echo "scale=1; $got/($t1-$t0)" | bc)" \
       "server_cpu_ms_per_msg=$(cpu_ms_per_msg "$c0" "$c1" "$n")"
  python3 - "$prefix.collapsed" "$event" "$n" <<'PY'
import collections, re, sys
event, n_msgs = sys.argv[2], int(sys.argv[3])
threads, leaves, sites, total = collections.Counter(), collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(" ", 1)
    frames, n = stack.split(";"), int(n)
    total += n
    threads[re.sub(r"\d+", "N", frames[0])] += n
    leaves[frames[-1]] += n
    if event == "alloc":
        # the allocating method: the innermost frame that is not the allocated class or a JDK/Scala collection helper
        callers = [f for f in frames[1:-1] if not re.match(r"(java|jdk|sun|scala)/", f)]
        sites[callers[-1] if callers else frames[-2]] += n
if event == "alloc":
    print(f"bytes_allocated={total} per_message={total // max(n_msgs, 1)}\nallocation share per thread (pool):")
else:
    print(f"samples={total}\nCPU share per thread (pool):")
for k, v in threads.most_common(12):
    print(f"  {100 * v / total:5.1f}% {k}")
print("classes allocated most (bytes):" if event == "alloc" else "hottest frames (self time):")
for k, v in leaves.most_common(20):
    print(f"  {100 * v / total:5.1f}% {k[:120]}")
if event == "alloc":
    print("allocating methods outside the JDK (bytes):")
    for k, v in sites.most_common(25):
        print(f"  {100 * v / total:5.1f}% {k[:140]}")
PY
} | tee "$prefix.txt"
