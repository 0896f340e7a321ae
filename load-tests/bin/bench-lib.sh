#!/bin/bash
# bench-lib.sh: shared by relay-bench.sh and accept-bench.sh (sourced, not run).
# Starts and stops the two MTAs under test on loopback with fsync-durable queues:
#   Postfix   through ../shared/bench/postfix-baseline.sh (beside the repository, as in CI)
#   smarthost through bin/postfix -c DIR start|stop with a generated configuration directory
# Every wait is bounded; everything a benchmark starts is stopped by id on exit.

LT_BIN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LT_BIN/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO_ROOT/../shared/bench}
# A fixed work directory: postfix-baseline.sh registers DIR/etc in the default instance's
# alternate_config_directories, so a stable path keeps that list from growing run after run.
BENCH_WORK=${BENCH_WORK:-/tmp/smarthost-bench}
SMARTHOST_POSTFIX=${SMARTHOST_POSTFIX:-}
SMARTHOST_START_TIMEOUT=${SMARTHOST_START_TIMEOUT:-300}   # seconds; the first start may build
SINK_PIDS=()
SMARTHOST_START_PID=

die() { echo "$(basename "$0"): $*" >&2; exit 2; }
note() { echo "# $*" >&2; }

# The command line relay-bench.sh and accept-bench.sh share: -w WORKLOADS -m MTAS. The caller
# sets SPEC (workload -> "messages sessions size recipients") and ALL (the workloads "all"
# stands for), and may set MTAS_DEFAULT (the MTAs without -m) and DIRECT_OK (accept "direct",
# no MTA); this sets WL and MT and checks every name.
parse_workloads_and_mtas() {
  local workloads=quick mtas=${MTAS_DEFAULT:-postfix,smarthost} o w m OPTIND=1
  while getopts "w:m:h" o; do
    case $o in
      w) workloads=$OPTARG ;; m) mtas=$OPTARG ;;
      *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
  done
  case $workloads in quick) workloads=small20 ;; all) workloads=$ALL ;; esac
  IFS=, read -ra WL <<<"$workloads"; IFS=, read -ra MT <<<"$mtas"
  for w in "${WL[@]}"; do [[ -n ${SPEC[$w]:-} ]] || die "unknown workload '$w' (${ALL//,/ } quick all)"; done
  for m in "${MT[@]}"; do
    [[ $m == postfix || $m == smarthost || ($m == direct && -n ${DIRECT_OK:-}) ]] ||
      die "unknown MTA '$m' (postfix smarthost${DIRECT_OK:+ direct})"
  done
}

require_tools() {
  [[ $(id -u) == 0 ]] || die "must run as root (postfix-baseline.sh and smtp-sink -u nobody need it)"
  local t
  for t in smtp-source smtp-sink bc ss "$@"; do
    command -v "$t" >/dev/null || die "$t not found: apt-get install -y postfix bc iproute2"
  done
}

require_baseline() {
  local f
  for f in postfix-baseline.sh; do
    [[ -x $BENCH_DIR/$f ]] || die "$BENCH_DIR/$f is missing. The Postfix baseline scripts are provided beside the repository as ../shared/bench/ (set BENCH_DIR=/path/to/bench to point elsewhere)."
  done
  command -v postfix >/dev/null || die "Postfix is not installed (apt-get install -y postfix): no baseline to compare with"
  # Debian's package installed non-interactively ("No configuration") leaves no main.cf, and the
  # baseline names its private instance in the default instance's alternate_config_directories
  # (postconf -e needs the file). The default instance is never started, so an empty one will do.
  [[ -f /etc/postfix/main.cf ]] || touch /etc/postfix/main.cf || die "cannot create /etc/postfix/main.cf"
}

# The Gatling runs are offline (mvn -o), but bin/test runs the simulations through Surefire only,
# so on a fresh machine gatling-maven-plugin is not in the local repository yet ("No plugin found
# for prefix 'gatling'"). Fetch it once, before anything is timed.
require_gatling_plugin() {
  (cd "$REPO_ROOT" && mvn -B -o -q -pl load-tests gatling:help) >/dev/null 2>&1 && return 0
  note "fetching gatling-maven-plugin into the local Maven repository (first Gatling run here)"
  mkdir -p "$BENCH_WORK"
  (cd "$REPO_ROOT" && mvn -B -q -pl load-tests dependency:resolve-plugins gatling:help) \
      >"$BENCH_WORK/gatling-plugin.log" 2>&1 \
    || die "cannot fetch gatling-maven-plugin (see $BENCH_WORK/gatling-plugin.log)"
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 30000 ))
    ss -Htan "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
  die "no free loopback port found"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

now() { date +%s.%N; }

# --- smtp-sink -------------------------------------------------------------------------------
# start_sink PORT OUTFILE [smtp-sink options...]; the pid goes to SINK_PIDS
start_sink() {
  local port=$1 out=$2; shift 2
  setsid smtp-sink -u nobody "$@" -c "127.0.0.1:$port" 512 >"$out" 2>&1 &
  SINK_PIDS+=($!)
  for _ in $(seq 1 50); do listening "$port" && return 0; sleep 0.1; done
  echo "smtp-sink did not listen on $port: $(cat "$out")" >&2; return 1
}

stop_sinks() {
  local p
  for p in "${SINK_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  SINK_PIDS=()
}

# sink_count OUTFILE: messages received so far ("mesg=N" running counter of smtp-sink -c)
sink_count() {
  local n
  n=$(tr '\r' '\n' <"$1" 2>/dev/null | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)
  echo "${n:-0}"
}

# sink_watch OUTFILE N SECONDS: started in the background before a measured run, prints the
# wall-clock time (epoch seconds) at which smtp-sink's running counter reached N, or "timeout
# COUNT" after SECONDS. It looks at the end of the counter file every 5 ms, so the end of a run is
# known to ~5 ms: a 2,000-message run of 100 KB mail takes ~1.3 s, and the 0.1 s sleeps of a
# polling loop in shell (as ../shared/bench/relay-bench.sh has) added ~50 ms on average to it,
# ~4% of the faster MTA's time and ~1% of the slower one's.
sink_watch() {
  python3 - "$1" "$2" "$3" <<'PY'
import os, re, sys, time
path, want, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline, last = time.time() + limit, 0
while time.time() < deadline:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 96))
            found = re.findall(rb"mesg=(\d+)", f.read())
            last = int(found[-1]) if found else last
    except FileNotFoundError:
        pass
    if last >= want:
        print(f"{time.time():.6f}"); sys.exit(0)
    time.sleep(0.005)
print(f"timeout {last}")
PY
}

# watch_start OUTFILE N: sink_watch in the background (WATCH_PID); watch_end SECONDS waits at most
# that long for it and prints when the sink had N messages, or the time it gave up.
watch_start() {
  sink_watch "$1" "$2" 2000 >"$BENCH_WORK/sink-watch.out" & WATCH_PID=$!
}
watch_end() {
  local t
  # The watcher has the time of the last message; this loop only bounds the wait for it.
  for _ in $(seq 1 $(( $1 * 20 ))); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.05; done
  kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null
  t=$(cat "$BENCH_WORK/sink-watch.out")
  [[ $t =~ ^[0-9.]+$ ]] || t=$(now)
  echo "$t"
}

# An smtp-sink left listening by a killed relay-bench.sh (it starts its sink with setsid) is ours:
# stop it by the pid that holds the port, and only if it is smtp-sink.
reap_sink_on() {
  local pid
  for pid in $(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == smtp-sink ]] && kill "$pid" 2>/dev/null
  done
}

# --- Postfix (the baseline) --------------------------------------------------------------------
postfix_start() {  # DIR PORT_IN SINK_PORT
  rm -rf "$1"
  "$BENCH_DIR/postfix-baseline.sh" start "$1" "$2" "$3" >"$BENCH_WORK/postfix-start.log" 2>&1 || {
    cat "$BENCH_WORK/postfix-start.log" >&2; return 1; }
}

postfix_tune() {  # DIR name=value...: change main.cf and reload, as an administrator would
  local dir=$1; shift
  postconf -c "$dir/etc" -e "$@" && postfix -c "$dir/etc" reload >/dev/null 2>&1
  sleep 1   # reload is asynchronous: let the daemons re-read main.cf
}

postfix_stop() {  # DIR
  "$BENCH_DIR/postfix-baseline.sh" stop "$1"
  for _ in $(seq 1 100); do [[ -e $1/queue/pid/master.pid ]] || break
    kill -0 "$(tr -d ' ' <"$1/queue/pid/master.pid")" 2>/dev/null || break; sleep 0.1; done
  rm -rf "$1"
}

# --- smarthost -------------------------------------------------------------------------------
# The same service as the baseline, written the way a Postfix administrator would write it.
smarthost_config() {  # DIR PORT_IN SINK_PORT [extra main.cf lines]
  local dir=$1 in=$2 sink=$3 extra=${4:-}
  rm -rf "$dir"; mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
myhostname = smarthost-bench.localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sink
smtpd_relay_restrictions = permit_mynetworks, reject
default_destination_concurrency_limit = 20
smtp_tls_security_level = none
smtpd_tls_security_level = none
$extra
CF
  cat >"$dir/etc/master.cf" <<CF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$in inet n    -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
CF
}

# The benchmark runs a private copy of the built launcher and jars (BENCH_WORK/smarthost-build),
# taken once at its start: other people building in the same tree during a long run would
# otherwise replace the jars under a starting JVM (ClassNotFoundException) or change the code
# between workloads. The tree is built first if it is stale (bin/smarthost's own rule), unless
# SMARTHOST_NO_BUILD=1. Setting SMARTHOST_POSTFIX uses that command as it is, without a copy.
snapshot_smarthost() {
  [[ -n $SMARTHOST_POSTFIX ]] && { SMARTHOST_POSTQUEUE=$(dirname "$SMARTHOST_POSTFIX")/postqueue; return 0; }
  local snap=$BENCH_WORK/smarthost-build
  if [[ ${SMARTHOST_NO_BUILD:-} != 1 ]]; then
    "$REPO_ROOT/bin/postconf" -d mail_version >/dev/null 2>&1 || die "smarthost does not build: run $REPO_ROOT/bin/postconf to see why"
  fi
  [[ -f $REPO_ROOT/app/target/smarthost-app.jar ]] || die "$REPO_ROOT/app/target/smarthost-app.jar is missing (mvn -B -o install -DskipTests)"
  rm -rf "$snap"; mkdir -p "$snap/app/target"
  cp -r "$REPO_ROOT/bin" "$snap/bin"
  cp -r "$REPO_ROOT/app/target/smarthost-app.jar" "$REPO_ROOT/app/target/lib" "$snap/app/target/"
  export SMARTHOST_NO_BUILD=1
  SMARTHOST_POSTFIX=$snap/bin/postfix SMARTHOST_POSTQUEUE=$snap/bin/postqueue
  note "smarthost: $(git -C "$REPO_ROOT" log -1 --format='%h %s' 2>/dev/null | cut -c1-70)$(git -C "$REPO_ROOT" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes'), jar of $(date -r "$snap/app/target/smarthost-app.jar" '+%F %T')"
}

# smarthost_start DIR PORT_IN: 0 when it listens; otherwise prints why and returns 1
smarthost_start() {
  local dir=$1 in=$2
  if [[ ! -x $SMARTHOST_POSTFIX ]]; then
    echo "smarthost did not start: $SMARTHOST_POSTFIX not found" >&2; return 1
  fi
  # Whether bin/postfix start daemonizes or stays in the foreground, run it in its own session
  # and remember the pid, so stop can end exactly what was started.
  setsid "$SMARTHOST_POSTFIX" -c "$dir/etc" start >"$dir/start.log" 2>&1 &
  SMARTHOST_START_PID=$!
  local i
  for i in $(seq 1 $(( SMARTHOST_START_TIMEOUT * 5 ))); do
    listening "$in" && return 0
    if ! kill -0 "$SMARTHOST_START_PID" 2>/dev/null; then
      wait "$SMARTHOST_START_PID"; local rc=$?
      if [[ $rc != 0 ]]; then
        echo "smarthost did not start: bin/postfix start exited $rc: $(tail -5 "$dir/start.log" | tr -s "\n\t" "  ")" >&2; return 1
      fi
    fi
    sleep 0.2
  done
  echo "smarthost did not start: nothing listening on 127.0.0.1:$in after ${SMARTHOST_START_TIMEOUT}s: $(tail -5 "$dir/start.log" | tr -s "\n\t" "  ")" >&2
  return 1
}

smarthost_stop() {  # DIR PORT_IN
  local dir=$1 in=$2 pidfile
  [[ -x $SMARTHOST_POSTFIX ]] && timeout 120 "$SMARTHOST_POSTFIX" -c "$dir/etc" stop >>"$dir/start.log" 2>&1
  for _ in $(seq 1 100); do listening "$in" || break; sleep 0.1; done
  # What this run started and stop did not end: its master (pid file) and the start command.
  # A pid is only trusted while its command line names this configuration directory.
  local pid
  for pidfile in "$dir/queue/pid/master.pid" "$dir/data/master.pid" "$dir/data/smarthost.pid"; do
    [[ -f $pidfile ]] || continue
    pid=$(tr -d ' \n' <"$pidfile")
    # postfix stop returns once the master has released its pid lock (queue and journal
    # closed); the JVM takes a moment more to exit, so give it that before calling it stuck.
    for _ in $(seq 1 100); do
      tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir" || break; sleep 0.1
    done
    if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir"; then
      kill "$pid" 2>/dev/null && note "smarthost master (pid $pid) outlived stop; killed"
    fi
  done
  if [[ -n $SMARTHOST_START_PID ]] && kill -0 "$SMARTHOST_START_PID" 2>/dev/null; then
    kill -- "-$SMARTHOST_START_PID" 2>/dev/null
    note "smarthost start process outlived stop; killed its process group"
  fi
  SMARTHOST_START_PID=
  listening "$in" && note "WARNING: something still listens on 127.0.0.1:$in after smarthost stop"
  cp "$dir/start.log" "$BENCH_WORK/smarthost-start.log" 2>/dev/null
  cp "$dir/maillog" "$BENCH_WORK/smarthost.maillog" 2>/dev/null
  cp "$dir/queue/db/LOG" "$BENCH_WORK/smarthost-rocksdb.LOG" 2>/dev/null   # flushes, compactions, stalls
  cp "$dir/data/smarthost.log" "$BENCH_WORK/smarthost.log" 2>/dev/null      # the server's own log (not the maillog)
  rm -rf "$dir"
}

# smarthost_alone NAME: a fresh smarthost in BENCH_WORK/NAME-server relaying to a sink port of
# its own, started and listening; it and every sink are stopped on exit. Sets SH_DIR, SH_IN,
# SINK and SH_PID (the server JVM). For the smarthost-only scripts (profile, warm-up).
smarthost_alone() {
  SH_DIR=$BENCH_WORK/$1-server SH_IN=$(free_port) SINK=$(free_port)
  trap 'stop_sinks; [[ -d $SH_DIR ]] && smarthost_stop "$SH_DIR" "$SH_IN"' EXIT
  trap 'exit 130' INT TERM
  smarthost_config "$SH_DIR" "$SH_IN" "$SINK"
  smarthost_start "$SH_DIR" "$SH_IN" || exit 1
  SH_PID=$(tr -d ' \n' <"$SH_DIR/queue/pid/master.pid" 2>/dev/null)
  [[ $SH_PID =~ ^[0-9]+$ ]] || die "no master.pid under $SH_DIR/queue/pid"
}

# pid_in PIDFILE: the process id a pid file holds, or nothing when it holds none
pid_in() {
  local pid; pid=$(tr -d ' \n' 2>/dev/null <"$1")   # 2> first: it also hides a missing file
  [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
}

# cpu_ticks PID: the process's utime+stime so far, all threads (/proc/PID/stat, in CLK_TCK units)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# mta_cpu_ticks PIDFILE: the CPU an MTA has used so far (CLK_TCK units), given its master's pid
# file: the master's own utime+stime, what its reaped children used (cutime+cstime: Postfix
# daemons that exited after max_use or max_idle) and its living children's utime+stime (smtpd,
# cleanup, qmgr, smtp, postlogd ...). smarthost is one process, so that is its own. n/a when the
# master is gone.
mta_cpu_ticks() {
  local pid c; pid=$(pid_in "$1")
  [[ -n $pid && -r /proc/$pid/stat ]] || { echo n/a; return; }
  { cat "/proc/$pid/stat"; for c in $(pgrep -P "$pid"); do cat "/proc/$c/stat" 2>/dev/null; done; } |
    awk -v m="$pid" '$1 == m {t += $14 + $15 + $16 + $17; next} {t += $14 + $15} END {print t}'
}
CLK_TCK=$(getconf CLK_TCK)

# mta_uptime PIDFILE: seconds since the MTA's master process started, or n/a. smarthost reads its
# whole queue history again a minute after it starts (the queue index checkpoint, then every
# minute); a run's line says where it fell in that rhythm.
mta_uptime() {
  local pid; pid=$(pid_in "$1")
  [[ -n $pid && -r /proc/$pid/stat ]] || { echo n/a; return; }
  awk -v tck="$CLK_TCK" -v up="$(cut -d' ' -f1 /proc/uptime)" '{printf "%.0f\n", up - $22 / tck}' "/proc/$pid/stat"
}

# host_cpu: "busy steal total" jiffies of all CPUs so far (/proc/stat; busy = all but idle,
# iowait and steal), and host_share H0 H1: "busy_pct=.. steal_pct=.." of the machine between two
# samples. A busy share near 100 means the run was bound by the cores, whoever used them.
host_cpu() {
  awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6 - $9, $9, t; exit}' /proc/stat
}
host_share() {
  local b0 s0 t0 b1 s1 t1; read -r b0 s0 t0 <<<"$1"; read -r b1 s1 t1 <<<"$2"
  [[ $t1 -gt $t0 ]] || { echo "busy_pct=n/a steal_pct=n/a"; return; }
  echo "busy_pct=$(( 100 * (b1 - b0) / (t1 - t0) )) steal_pct=$(( 100 * (s1 - s0) / (t1 - t0) ))"
}

# cpu_ms_per_msg TICKS0 TICKS1 MESSAGES: milliseconds of CPU per message, or n/a
cpu_ms_per_msg() {
  [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && ${3:-0} -gt 0 ]] || { echo n/a; return; }
  echo "scale=3; ($2 - $1) * 1000 / $CLK_TCK / $3" | bc
}

# --- warm-up (the same for both MTAs) ---------------------------------------------------------
# A fresh JVM runs interpreted and C1-compiled code until C2 has compiled the hot paths: on a
# 2-core host the first ~10,000 messages of a new smarthost are relayed at well under half the
# later rate, and C2 is busy until ~20,000-40,000 (warmup-bench.sh shows the curve). Postfix has a cold
# start too (process spawn, the first queue scans, the page cache). So before each measured
# workload both MTAs get the same unmeasured warm-up batch through the same path: WARMUP
# messages of the workload's shape over 20 sessions (default 5000; WARMUP=0 measures cold).
WARMUP=${WARMUP:-5000}
WARMUP_MAX_WAIT=${WARMUP_MAX_WAIT:-600}   # seconds to wait for the warm-up to be delivered

# warm_up IN SINK_PORT|- [SIZE RCPTS]: relay the warm-up batch (messages of SIZE octets to RCPTS
# recipients, default 2048 and 1: the workload's own shape, so the JIT has seen its paths) to a
# sink of our own on SINK_PORT and wait until it has every message (so the measured run starts
# on an empty queue); with "-" the messages are only queued (accept benchmark). Prints a one-line
# summary on stderr.
#
# The batch is relayed in WARMUP_ROUNDS rounds (default 4), each to a newly started sink, because
# the measured run starts one too: the MTA's cached connections to the old sink are gone and it
# reconnects. Relayed in one round, that reconnect was the first in the warm-up's whole run, and
# smarthost's JIT threw away the compiled connection code it had never seen fail (the first
# 100 KB run after 40,000 messages came out at 1,206 msgs/s, the next ones at 1,485-1,809).
#
# WARMUP_PIDFILE names the MTA's master pid file. With it, the warm-up goes on in rounds of the
# same size, at least 5,000 messages (at most WARMUP_EXTRA_ROUNDS more, default 20), until
#  - the MTA has run WARMUP_MIN_UPTIME seconds (default 75): smarthost reads the queue events
#    since its start a minute after it starts (the queue index checkpoint, then every minute);
#    the first read also compiles its code, and a run that met it was the slow one (2 KB mail:
#    0.51-0.62 ms of CPU per message in runs that started at 44-58 s, 0.74 ms at 63 s). Later
#    reads are part of the steady state, but the first ones also make the JIT recompile hot code
#    for a while (8-16 s of compiler CPU in the 10 s after it). Waiting idle instead was worse:
#    the first run after a 20 s pause had 9 s of JIT compiling in it (what the pause stopped,
#    such as idle destinations, starts again on new code paths);
#  - and, when the MTA is a JVM (smarthost), the last round cost its JIT compilers at most
#    WARMUP_JIT_QUIET seconds (default 1): on 2 cores C2 is still compiling hot code after 40,000
#    messages of 2 KB (90 s of compiler CPU by 50,000 messages, next to none after).
WARMUP_ROUNDS=${WARMUP_ROUNDS:-4}
WARMUP_PIDFILE=${WARMUP_PIDFILE:-}
WARMUP_JIT_QUIET=${WARMUP_JIT_QUIET:-1}
WARMUP_EXTRA_ROUNDS=${WARMUP_EXTRA_ROUNDS:-20}
WARMUP_MIN_UPTIME=${WARMUP_MIN_UPTIME:-75}

# jit_seconds PIDFILE: seconds the JVM's JIT compilers have worked so far (jstat), or n/a
jit_seconds() {
  local pid; pid=$(pid_in "$1")
  [[ -n $pid ]] || { echo n/a; return; }
  jstat -compiler "$pid" 2>/dev/null | awk 'NR == 2 && $4 ~ /^[0-9.]+$/ {print $4; f = 1} END {if (!f) print "n/a"}'
}

# warming JIT0 JIT1: whether another warm-up round is due (see WARMUP_PIDFILE)
warming() {
  local up; up=$(mta_uptime "$WARMUP_PIDFILE")
  [[ $up =~ ^[0-9]+$ && $up -lt $WARMUP_MIN_UPTIME ]] && return 0
  [[ $1 != n/a && $2 != n/a && $(echo "$2 - $1 > $WARMUP_JIT_QUIET" | bc) == 1 ]]
}

# warm_round IN SINK OUT N SIZE RCPTS: one round of N messages; sets WARM_GOT (delivered; N when queued only)
warm_round() {
  local in=$1 sink=$2 out=$3 n=$4 size=$5 rcpts=$6
  WARM_GOT=0
  [[ $sink == - ]] || start_sink "$sink" "$out" || return 1
  timeout 1200 smtp-source -s 20 -m "$n" -l "$size" -r "$rcpts" -f sender@example.org -t rcpt@example.net \
    "127.0.0.1:$in" >>"$BENCH_WORK/warmup.err" 2>&1
  [[ $sink == - ]] && { WARM_GOT=$n; return 0; }
  for _ in $(seq 1 $(( WARMUP_MAX_WAIT * 10 ))); do
    WARM_GOT=$(sink_count "$out"); [[ $WARM_GOT -ge $n ]] && break; sleep 0.1
  done
  stop_sinks
  reap_sink_on "$sink"
  [[ $WARM_GOT -ge $n ]]
}

warm_up() {
  local in=$1 sink=$2 size=${3:-2048} rcpts=${4:-1} t0 out=$BENCH_WORK/sink-warmup.out
  local rounds=$WARMUP_ROUNDS round n sent=0 total=0 extra=0 j0 j1 ok=1
  [[ $WARMUP -gt 0 ]] || return 0
  [[ $sink == - || $rounds -lt 1 ]] && rounds=1
  t0=$(now)
  : >"$BENCH_WORK/warmup.err"
  for round in $(seq 1 "$rounds"); do
    n=$(( WARMUP * round / rounds - sent )); sent=$(( sent + n ))
    [[ $n -gt 0 ]] || continue
    j0=$(jit_seconds "$WARMUP_PIDFILE")
    warm_round "$in" "$sink" "$out" "$n" "$size" "$rcpts"; ok=$?
    total=$(( total + WARM_GOT ))
    [[ $ok == 0 ]] || break
  done
  j1=$(jit_seconds "$WARMUP_PIDFILE")
  while [[ $ok == 0 && $sink != - && -n $WARMUP_PIDFILE && $extra -lt $WARMUP_EXTRA_ROUNDS ]] && warming "$j0" "$j1"; do
    extra=$(( extra + 1 )) j0=$j1 n=$(( n > 5000 ? n : 5000 ))
    warm_round "$in" "$sink" "$out" "$n" "$size" "$rcpts"; ok=$?
    total=$(( total + WARM_GOT )) sent=$(( sent + n ))
    j1=$(jit_seconds "$WARMUP_PIDFILE")
  done
  local jit=
  [[ $extra -gt 0 ]] && jit=", $extra more round(s) for WARMUP_MIN_UPTIME/WARMUP_JIT_QUIET"
  [[ $j1 != n/a ]] && jit="$jit; the last round cost the JIT $(echo "$j1 - $j0" | bc) s"
  if [[ $sink != - ]]; then
    note "warm-up: $sent messages of $size octets to $rcpts recipient(s) in $(( rounds + extra )) round(s), $total delivered, $(printf '%.1f' "$(echo "$(now) - $t0" | bc)") s (not measured)$jit"
    [[ $total -ge $sent ]] || { note "WARNING: warm-up not fully delivered ($total/$sent)"; return 1; }
  else
    note "warm-up: $WARMUP messages queued in $(printf '%.1f' "$(echo "$(now) - $t0" | bc)") s (not measured)"
  fi
  [[ -s $BENCH_WORK/warmup.err ]] && note "warm-up client errors: $(head -1 "$BENCH_WORK/warmup.err")"
  return 0
}

ratio() {  # SMARTHOST POSTFIX
  if [[ -z $1 || -z $2 || $1 == n/a || $2 == n/a ]] || [[ $(echo "$2 <= 0" | bc) == 1 ]]; then
    echo n/a
  else
    echo "scale=2; $1 / $2" | bc
  fi
}

# Every benchmark's output starts with the machine it ran on: this VM's speed has differed by 2x
# for smarthost from one day to the next (load-tests/PERFORMANCE.md, "Another machine"), so a
# figure without its CPU and kernel cannot be compared with another. The JDK is the one
# bin/smarthost starts the server with (JAVA_HOME's, else java on PATH).
bench_java=java
[[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && bench_java=$JAVA_HOME/bin/java
note "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {n = $2} /^cpu family/ {f = $2} $1 ~ /^model[[:space:]]*$/ {m = $2}
    /^$/ {exit} END {printf "%s (family %s model %s)", n, f, m}' /proc/cpuinfo), kernel $(uname -r), $("$bench_java" -version 2>&1 | head -1)"
