#!/bin/bash
# accept-bench.sh: accept rate only, smarthost vs Postfix, in one run on one machine.
#
#   load-tests/bin/accept-bench.sh [-w WORKLOADS] [-m MTAS]
#
#   -w  comma-separated workloads, or "quick" (default: small20) or "all":
#         small20   2 KB x 10,000 messages, 20 client sessions
#         small100  2 KB x 10,000 messages, 100 client sessions
#         medium    100 KB x 2,000 messages, 20 sessions
#         rcpt5     5 recipients x 5,000 messages, 20 sessions
#   -m  comma-separated MTAs: postfix,smarthost (default both)
#
# Path: smtp-source -> MTA on 127.0.0.1, nothing delivered: both MTAs run with
# defer_transports = smtp and a relayhost on a closed loopback port, so they only queue.
# Warm-up: before the measured batch each freshly started MTA queues WARMUP messages (default
# 5000, 2 KB, 20 sessions, unmeasured; WARMUP=0 for a cold start); queued= then counts both.
# msgs/s = messages / time for smtp-source to get every 250 after DATA, and a 250 means the
# message is on disk (fsync) in both. The queue is then counted with postqueue -p to check that
# every message was really queued. Needs root, Debian's postfix and bc, and
# ../shared/bench/postfix-baseline.sh beside the repository. Loopback only; waits are bounded.
set -u
. "$(dirname "$0")/bench-lib.sh"

declare -A SPEC=(
  [small20]="10000 20 2048 1" [small100]="10000 100 2048 1" [medium]="2000 20 102400 1" [rcpt5]="5000 20 2048 5")
ALL=small20,small100,medium,rcpt5
parse_workloads_and_mtas "$@"
require_tools
[[ " ${MT[*]} " == *" postfix "* ]] && require_baseline
[[ " ${MT[*]} " == *" smarthost "* ]] && snapshot_smarthost

mkdir -p "$BENCH_WORK"; chmod 755 "$BENCH_WORK"
PF_DIR=$BENCH_WORK/postfix SH_DIR=$BENCH_WORK/smarthost
cleanup() {
  [[ -d $PF_DIR ]] && postfix_stop "$PF_DIR"
  [[ -d $SH_DIR && -n ${SH_IN:-} ]] && smarthost_stop "$SH_DIR" "$SH_IN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# count_once COMMAND...: the request count from "-- N Kbytes in M Requests." (or "Mail queue is empty")
count_once() {
  local out; out=$(timeout 120 "$@" 2>&1)
  if grep -q 'Mail queue is empty' <<<"$out"; then echo 0
  else grep -o 'in [0-9]* Request' <<<"$out" | tail -1 | grep -o '[0-9]*' || echo n/a; fi
}

# queued COMMAND...: the count once two listings a second apart agree. Postfix's showq walks the
# queue directories one after the other, so a file that qmgr moves from incoming to active
# during the walk is listed twice (seen: 2,554 listed for 2,500 queued, right after a batch).
queued() {
  local prev= cur
  for _ in $(seq 1 10); do
    cur=$(count_once "$@")
    [[ $cur == "$prev" ]] && break
    prev=$cur; sleep 1
  done
  echo "$cur"
}

declare -A RATE
printf '%-9s %-9s %s\n' workload mta result
run() {  # MTA WORKLOAD IN POSTQUEUE...
  local mta=$1 w=$2 in=$3; shift 3
  read -r n s l r <<<"${SPEC[$w]}"
  local t0 t1 errs q rate want=$(( n + WARMUP ))
  warm_up "$in" -
  t0=$(now)
  timeout 1800 smtp-source -s "$s" -m "$n" -l "$l" -r "$r" -f sender@example.org -t rcpt@example.net \
    "127.0.0.1:$in" >"$BENCH_WORK/source.err" 2>&1
  t1=$(now)
  errs=$(grep -c . "$BENCH_WORK/source.err")
  q=$(queued "$@")
  rate=$(echo "scale=1; $n/($t1-$t0)" | bc)
  local line="warmup=$WARMUP messages=$n sessions=$s size=$l rcpts=$r accept_s=$(echo "$t1-$t0"|bc) accept_msgs_per_s=$rate queued=$q"
  [[ $errs -gt 0 ]] && line="$line client_errors=$errs (first: $(head -1 "$BENCH_WORK/source.err"))"
  if [[ $q != "$want" ]]; then line="$line QUEUE-MISMATCH(queued=$q, sent=$want including the warm-up)"; fi
  [[ $errs -gt 0 ]] && rate=n/a
  printf '%-9s %-9s %s\n' "$w" "$mta" "$line"
  RATE[$mta,$w]=$rate
}

for w in "${WL[@]}"; do
  for m in "${MT[@]}"; do
    IN=$(free_port); CLOSED=$(free_port)   # nothing ever listens on CLOSED
    if [[ $m == postfix ]]; then
      if ! postfix_start "$PF_DIR" "$IN" "$CLOSED"; then
        printf '%-9s %-9s %s\n' "$w" postfix "Postfix baseline did not start"; RATE[postfix,$w]=n/a; continue
      fi
      postfix_tune "$PF_DIR" "defer_transports=smtp"
      run postfix "$w" "$IN" postqueue -c "$PF_DIR/etc" -p
      postfix_stop "$PF_DIR"
    else
      SH_IN=$IN
      smarthost_config "$SH_DIR" "$IN" "$CLOSED" "defer_transports = smtp"
      if ! smarthost_start "$SH_DIR" "$IN" 2>"$BENCH_WORK/smarthost-start.err"; then
        printf '%-9s %-9s %s\n' "$w" smarthost "$(cat "$BENCH_WORK/smarthost-start.err")"
        RATE[smarthost,$w]=n/a
        smarthost_stop "$SH_DIR" "$IN"
        continue
      fi
      run smarthost "$w" "$IN" "$SMARTHOST_POSTQUEUE" -c "$SH_DIR/etc" -p
      smarthost_stop "$SH_DIR" "$IN"
    fi
  done
done

echo
echo "accept msgs/s (to 250, fsync on, nothing delivered); ratio = smarthost / Postfix"
for w in "${WL[@]}"; do
  printf '%-9s postfix=%-8s smarthost=%-8s ratio=%s\n' "$w" "${RATE[postfix,$w]:-n/a}" \
    "${RATE[smarthost,$w]:-n/a}" "$(ratio "${RATE[smarthost,$w]:-}" "${RATE[postfix,$w]:-}")"
done
