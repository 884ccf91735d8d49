#!/usr/bin/env bash
# CI: run a scenario on a real, single-node Slurm cluster as a 4-shard job array plus a
# dependent merge job (deploy/slurm/submit.sh), then run it again in one process and check
# that timeseries.csv, replicates.csv, lineage.csv and every plot are the same bytes; then
# the same for a small experiment as a 3-shard job array
# (deploy/slurm/experiment-array.sbatch) and a merge job (cartelsim experiment merge):
# design.csv, results.csv, effects.csv and every plot against one unsharded process.
#
# Needs root: it installs Debian's slurmctld, slurmd, slurm-client and munge with apt-get
# (when missing), starts munged (when no munged answers), slurmctld and slurmd on a private
# slurm.conf, and stops every daemon it started when it exits. As any other user it skips.
# Everything it writes is under $CARTELSIM_SLURM_TEST_DIR (default /tmp/cartelsim-slurm-test),
# which the next run removes first (after stopping any daemons an interrupted run left).
#
#   sudo bash .ci/slurm-test.sh      # or: make slurm-test (as root)
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "slurm-test: SKIP: not root; this test installs Slurm and munge and starts their daemons (run it as root)"
	exit 0
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

scenario=scenarios/prieto-curiel-2023/baseline.yaml
replicates=40
shards=4
job_timeout=${CARTELSIM_SLURM_TEST_TIMEOUT:-900} # seconds for the array and the merge together
tmp=${CARTELSIM_SLURM_TEST_DIR:-/tmp/cartelsim-slurm-test}
case $tmp in /tmp/?* | /var/tmp/?*) ;; *) echo "slurm-test: CARTELSIM_SLURM_TEST_DIR must be under /tmp or /var/tmp, not '$tmp'" >&2; exit 2 ;; esac
conf=$tmp/slurm.conf
pids=$tmp/pids # NAME.pid: "PID NAME" of each daemon this script started

log() { echo "slurm-test: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
fail() {
	echo "slurm-test: FAIL: $*" >&2
	exit 1
}

# same_outputs WHAT WORKDIR SINGLE MERGED TABLE...: the merged directory has the single
# process's plots, and every table and plot is byte-identical; sets n_files and n_plots.
same_outputs() {
	local what=$1 work=$2 single=$3 merged=$4
	shift 4
	(cd "$single" && find plots -type f | LC_ALL=C sort) >"$work/plots.single"
	(cd "$merged" && find plots -type f | LC_ALL=C sort) >"$work/plots.merged"
	[ -s "$work/plots.single" ] || fail "the single-process $what drew no plots"
	diff -u "$work/plots.single" "$work/plots.merged" >&2 || fail "the merged $what has other plots than the single-process one (diff above)"
	local files=("$@") plots differ=() f
	mapfile -t plots <"$work/plots.single"
	files+=("${plots[@]}")
	for f in "${files[@]}"; do
		[ -f "$single/$f" ] || fail "the single-process $what wrote no $f"
		[ -f "$merged/$f" ] || fail "the merged $what has no $f"
		cmp "$single/$f" "$merged/$f" >&2 || differ+=("$f")
	done
	if [ ${#differ[@]} -gt 0 ]; then
		fail "${#differ[@]} of ${#files[@]} files differ between $merged and $single: ${differ[*]}"
	fi
	n_files=${#files[@]} n_plots=${#plots[@]}
}


# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# stop_daemon NAME: stop the daemon recorded in $pids/NAME.pid, if it is still that daemon.
stop_daemon() {
	local f=$pids/$1.pid pid name comm i
	[ -f "$f" ] || return 0
	read -r pid name <"$f" || true
	comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
	if [ -n "$pid" ] && alive "$pid" && [[ $comm == "$name"* ]]; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			alive "$pid" || break
			sleep 0.2
		done
		if alive "$pid"; then
			log "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$f"
}

# strays: pids of processes carrying this test's SLURM_CONF in their environment (daemons
# started by this script, and the jobs they ran), except this script and its ancestors.
strays() {
	local p q skip=" "
	q=$$
	while [ -n "$q" ] && [ "$q" != 0 ]; do
		skip+="$q "
		q=$(awk '/^PPid:/ { print $2 }' "/proc/$q/status" 2>/dev/null || true)
	done
	skip+="${BASHPID:-} "
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $skip == *" $p "* ]] && continue
		if { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$conf"; then
			alive "$p" && echo "$p"
		fi
	done
	return 0
}

kill_strays() {
	local p
	for p in $(strays); do
		log "stray process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)): SIGKILL"
		kill -KILL "$p" 2>/dev/null || true
	done
}

array_job='' merge_job='' exp_array_job='' exp_merge_job='' started_at=''
cleanup() {
	local rc=$? i jobs
	set +e
	trap - EXIT INT TERM
	jobs=$(echo $array_job $merge_job $exp_array_job $exp_merge_job | tr ' ' ,)
	if [ -f "$pids/slurmctld.pid" ] && [ -n "$jobs" ]; then
		scancel $array_job $merge_job $exp_array_job $exp_merge_job 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			[ -z "$(squeue -h -j "$jobs" -o %i 2>/dev/null)" ] && break
			sleep 0.2
		done
	fi
	stop_daemon slurmd
	stop_daemon slurmctld
	stop_daemon munged
	kill_strays
	wait 2>/dev/null
	if [ -n "$started_at" ]; then
		log "stopped the daemons it started; files are in $tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dump_diagnostics() {
	local f d
	{
		echo "----- scontrol -o show job $array_job $merge_job $exp_array_job $exp_merge_job"
		for j in $array_job $merge_job $exp_array_job $exp_merge_job; do
			scontrol -o show job "$j"
		done
		echo "----- sinfo -N -l; sinfo -R"
		sinfo -N -l
		sinfo -R
		for f in "$tmp"/run/logs/*.out "$tmp"/experiment/logs/*.out; do
			[ -f "$f" ] || continue
			echo "----- job output $f"
			cat "$f"
		done
		for d in slurmctld slurmd munged; do
			f=$tmp/log/$d.log # a daemon's stderr only matters when it failed before opening its log
			[ -s "$f" ] || f=$tmp/log/$d.stderr
			[ -s "$f" ] || continue
			echo "----- last 60 lines of $f"
			tail -n 60 "$f"
		done
	} >&2 || true
}

t0=$(now)

# ---- a clean slate: stop what an earlier, interrupted run left behind, then start over.
for d in slurmd slurmctld munged; do
	if [ -f "$pids/$d.pid" ]; then
		log "stopping $d left by an earlier run (pid $(cut -d' ' -f1 "$pids/$d.pid"))"
		stop_daemon "$d"
	fi
done
kill_strays
rm -rf "$tmp"
mkdir -p "$tmp"/{pids,state,spool,log,run}

# ---- Slurm and munge from Debian.
need=()
for c in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
	command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine's apt-daily may hold the dpkg lock for a while: wait for it.
	apt=(apt-get -q -o DPkg::Lock::Timeout=300)
	if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends slurmctld slurmd slurm-client munge; } >"$tmp/log/apt.log" 2>&1; then
		tail -n 40 "$tmp/log/apt.log" >&2
		fail "apt-get could not install slurmctld slurmd slurm-client munge (log above, all of it in $tmp/log/apt.log)"
	fi
fi
command -v "${GO:-go}" >/dev/null || fail "go is not on PATH (Go 1.26 is needed to build cartelsim)"
t_install=$(since "$t0")

# ---- munge: Slurm authenticates with it. Use a munged that answers, else start one.
if (munge -n | unmunge) >/dev/null 2>&1; then
	log "munged is already running: using it"
else
	key=/etc/munge/munge.key
	if [ ! -s "$key" ]; then
		log "creating $key"
		install -d -o munge -g munge -m 0700 /etc/munge
		mungekey --create --keyfile="$key" 2>/dev/null || dd if=/dev/urandom of="$key" bs=1024 count=1 2>/dev/null
		chown munge:munge "$key"
		chmod 0400 "$key"
	fi
	for d in /run/munge /var/log/munge /var/lib/munge; do
		[ -d "$d" ] || install -d -o munge -g munge -m 0755 "$d"
	done
	# In the foreground, as the munge user (setpriv execs, so $! is munged itself).
	setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F \
		</dev/null >"$tmp/log/munged.stderr" 2>&1 &
	munged_pid=$!
	echo "$munged_pid munged" >"$pids/munged.pid"
	for ((i = 0; i < 50; i++)); do
		(munge -n | unmunge) >/dev/null 2>&1 && break
		alive "$munged_pid" || break
		sleep 0.1
	done
	(munge -n | unmunge) >/dev/null 2>&1 || { cat "$tmp/log/munged.stderr" >&2; fail "munged did not start (munge -n | unmunge fails)"; }
	log "started munged (pid $munged_pid)"
fi

# ---- a one-node cluster on localhost, all its state under $tmp.
cpus=$(nproc)
cat >"$conf" <<EOF
# Written by .ci/slurm-test.sh: a one-node cluster on localhost, for the test only.
ClusterName=cartelsim-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour (there is no accounting database).
MinJobAge=3600
NodeName=localhost CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf

slurmctld -D -i -f "$conf" </dev/null >"$tmp/log/slurmctld.stderr" 2>&1 &
echo "$! slurmctld" >"$pids/slurmctld.pid"
started_at=$(now)
for ((i = 0; i < 150; i++)); do
	scontrol ping 2>/dev/null | grep -q 'is UP' && break
	alive "$(cut -d' ' -f1 "$pids/slurmctld.pid")" || break
	sleep 0.2
done
scontrol ping 2>/dev/null | grep -q 'is UP' || { dump_diagnostics; fail "slurmctld did not come up"; }

slurmd -D -N localhost -f "$conf" </dev/null >"$tmp/log/slurmd.stderr" 2>&1 &
echo "$! slurmd" >"$pids/slurmd.pid"
state=
for ((i = 0; i < 300; i++)); do
	state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
	[ "$state" = idle ] && break
	alive "$(cut -d' ' -f1 "$pids/slurmd.pid")" || break
	sleep 0.2
done
[ "$state" = idle ] || { dump_diagnostics; fail "node localhost is '$state', not idle"; }
t_daemons=$(since "$started_at")
log "slurmctld (pid $(cut -d' ' -f1 "$pids/slurmctld.pid")) and slurmd (pid $(cut -d' ' -f1 "$pids/slurmd.pid")) up, $cpus CPUs, in $t_daemons"

# ---- cartelsim, built once.
t=$(now)
"${GO:-go}" build -o "$tmp/cartelsim" ./cmd/cartelsim || fail "go build ./cmd/cartelsim failed"
t_build=$(since "$t")

# ---- the array and the merge, through the script users run.
t=$(now)
ids=$(CARTELSIM_SHARDS=$shards CARTELSIM_REPLICATES=$replicates CARTELSIM_BIN=$tmp/cartelsim \
	deploy/slurm/submit.sh "$scenario" "$tmp/run") || { dump_diagnostics; fail "deploy/slurm/submit.sh failed"; }
read -r array_job merge_job <<<"$ids"
[[ $array_job =~ ^[0-9]+$ && $merge_job =~ ^[0-9]+$ ]] || fail "submit.sh printed '$ids', not two job ids"
log "submitted array job $array_job ($shards shards) and merge job $merge_job (afterok:$array_job)"

job_states() { # JOBID: one JobState per job (or array task), one per line
	scontrol -o show job "$1" 2>/dev/null | sed -n 's/.* JobState=\([A-Z_]*\) .*/\1/p'
}
# wait_jobs ARRAY MERGE TASKS: wait until the merge job completes (at most $job_timeout s
# from $t), then check that every task of the array completed.
wait_jobs() {
local array_job=$1 merge_job=$2 shards=$3 last= merge_state now_states bad done_tasks
while :; do
	merge_state=$(job_states "$merge_job")
	now_states="array: $(job_states "$array_job" | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }'); merge: ${merge_state:-?}"
	if [ "$now_states" != "$last" ]; then
		log "$now_states ($(since "$t"))"
		last=$now_states
	fi
	# A failed task leaves the merge pending for ever (its dependency is never met).
	if job_states "$array_job" | grep -Eq '^(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)$'; then
		dump_diagnostics
		fail "a task of array job $array_job ended badly ($now_states)"
	fi
	case $merge_state in
	COMPLETED) break ;;
	PENDING | CONFIGURING | RUNNING | COMPLETING | REQUEUED | RESIZING | SUSPENDED) ;;
	*)
		dump_diagnostics
		fail "the merge job $merge_job ended $merge_state (array job $array_job: $now_states)"
		;;
	esac
	if [ "$(awk -v a="$t" -v b="$(now)" 'BEGIN { print (b - a > 0) ? int(b - a) : 0 }')" -ge "$job_timeout" ]; then
		dump_diagnostics
		fail "the jobs did not finish within $job_timeout s ($now_states)"
	fi
	sleep 1
done
bad=$(job_states "$array_job" | grep -vc '^COMPLETED$' || true)
done_tasks=$(job_states "$array_job" | grep -c '^COMPLETED$' || true)
if [ "$bad" != 0 ] || [ "$done_tasks" != "$shards" ]; then
	dump_diagnostics
	fail "array job $array_job: $done_tasks of $shards tasks COMPLETED"
fi
}
wait_jobs "$array_job" "$merge_job" "$shards"
t_slurm=$(since "$t")

# ---- the same scenario in one process.
t=$(now)
"$tmp/cartelsim" run "$scenario" --out "$tmp/single" -n "$replicates" -q || fail "the single-process run failed"
t_single=$(since "$t")

# ---- byte for byte.
merged=$tmp/run/merged single=$tmp/single
grep -Eq '"complete"[[:space:]]*:[[:space:]]*true' "$merged/manifest.json" 2>/dev/null ||
	{ dump_diagnostics; fail "$merged/manifest.json does not say \"complete\": true"; }
for ((k = 0; k < shards; k++)); do
	[ -f "$tmp/run/shard-$k/manifest.json" ] || fail "shard $k wrote no manifest.json"
done
same_outputs run "$tmp" "$single" "$merged" timeseries.csv replicates.csv lineage.csv
log "run: $scenario, $replicates replicates: $shards-shard Slurm array + merge byte-identical to one process ($n_files files: 3 tables, $n_plots plots)"

# ---- an experiment: a small design as a job array of 3 shards and a merge job, through
# deploy/slurm/experiment-array.sbatch, against the same design in one process.
exp_shards=3
exp=$tmp/experiment
mkdir -p "$exp/logs"
design=$exp/design.yaml
cat >"$design" <<EOF
# Written by .ci/slurm-test.sh: joint airstrikes against the status quo for 160 weeks
# (to January 2028, the strikes' end), 6 points of the rebuild time, 2 replicates.
name: slurm-ci
scenarios:
  - $repo/scenarios/policy/status-quo.yaml
  - $repo/scenarios/policy/airstrikes-joint.yaml
set:
  weeks: 160
factors:
  - {key: economy.rebuild_weeks, range: [2, 104], scale: log-uniform}
design: latin-hypercube
points: 6
replicates: 2
seed: 7
outputs:
  - {name: supply_2026, metric: supply, from: 2026-01-04, to: 2026-05-03}
  - {name: labs_2026, metric: labs, at: 2026-05-03}
EOF
t=$(now)
exp_array_job=$(CARTELSIM_DESIGN=$design CARTELSIM_OUT=$exp CARTELSIM_BIN=$tmp/cartelsim \
	sbatch --parsable --array=0-$((exp_shards - 1)) --output="$exp/logs/shard-%a.out" \
	deploy/slurm/experiment-array.sbatch) || { dump_diagnostics; fail "sbatch deploy/slurm/experiment-array.sbatch failed"; }
exp_array_job=${exp_array_job%%;*}
shard_dirs=()
for ((k = 0; k < exp_shards; k++)); do shard_dirs+=("$exp/shard-$k"); done
exp_merge_job=$(sbatch --parsable --dependency=afterok:"$exp_array_job" --output="$exp/logs/merge.out" \
	--wrap "$tmp/cartelsim experiment merge ${shard_dirs[*]} --out $exp/merged --force") ||
	{ dump_diagnostics; fail "sbatch of the experiment's merge failed"; }
exp_merge_job=${exp_merge_job%%;*}
[[ $exp_array_job =~ ^[0-9]+$ && $exp_merge_job =~ ^[0-9]+$ ]] || fail "sbatch printed '$exp_array_job' and '$exp_merge_job', not two job ids"
log "submitted experiment array job $exp_array_job ($exp_shards shards) and merge job $exp_merge_job (afterok:$exp_array_job)"
wait_jobs "$exp_array_job" "$exp_merge_job" "$exp_shards"
t_exp_slurm=$(since "$t")
t=$(now)
"$tmp/cartelsim" experiment "$design" --out "$exp/single" -q || fail "the single-process experiment failed"
t_exp_single=$(since "$t")
merged=$exp/merged single=$exp/single
grep -Eq '"complete"[[:space:]]*:[[:space:]]*true' "$merged/experiment.json" 2>/dev/null ||
	{ dump_diagnostics; fail "$merged/experiment.json does not say \"complete\": true"; }
grep -Eq '"merged_shards"[[:space:]]*:[[:space:]]*'"$exp_shards" "$merged/experiment.json" ||
	fail "$merged/experiment.json does not say it merged $exp_shards shards"
same_outputs experiment "$exp" "$single" "$merged" design.csv results.csv effects.csv
log "experiment: 6 points x 2 scenarios x 2 replicates: $exp_shards-shard Slurm array + merge byte-identical to one process ($n_files files: 3 tables, $n_plots plots)"

log "PASS: a run and an experiment sharded on Slurm, each byte-identical to one process; install $t_install, daemons $t_daemons, build $t_build; run: Slurm jobs $t_slurm, single $t_single; experiment: Slurm jobs $t_exp_slurm, single $t_exp_single; total $(since "$t0")"
