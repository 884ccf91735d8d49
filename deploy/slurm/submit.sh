#!/usr/bin/env bash
# Submit a cartelsim scenario to Slurm as a job array of N shards plus a merge job that
# starts when every shard has succeeded (--dependency=afterok:<array job id>).
#
#   deploy/slurm/submit.sh [SCENARIO.yaml [OUT]]
#
# Example, from the repository's root on a login node (build once, on a shared file system):
#
#   go build -o cartelsim ./cmd/cartelsim
#   CARTELSIM_SHARDS=8 CARTELSIM_REPLICATES=4000 \
#   CARTELSIM_SBATCH_ARGS="--partition=compute --account=myproject --time=01:00:00" \
#     deploy/slurm/submit.sh scenarios/labs/baseline-2025.yaml out/slurm-labs
#
# Writes OUT/shard-0 .. OUT/shard-(N-1) (one per array task), OUT/merged (the result, the
# same bytes as `cartelsim run SCENARIO --out DIR -n REPLICATES`) and OUT/logs/ (the jobs'
# output). Prints "ARRAY_JOB_ID MERGE_JOB_ID" on stdout (like sbatch --parsable), and a
# description on stderr. Watch with `squeue -u $USER`; the result is ready when the merge job
# has left the queue and OUT/merged/manifest.json says "complete": true.
#
# Arguments and environment (all optional):
#   SCENARIO / CARTELSIM_SCENARIO    default scenarios/prieto-curiel-2023/baseline.yaml
#   OUT / CARTELSIM_OUT              default out/slurm-<scenario file name>; every node must see it
#   CARTELSIM_SHARDS                 array tasks N (default 4)
#   CARTELSIM_REPLICATES             replicates over all shards (default: the scenario's)
#   CARTELSIM_BIN                    cartelsim binary (default ./cartelsim if it exists, else
#                                    cartelsim on PATH); every node must be able to run it
#   CARTELSIM_WORKERS                workers per shard (default: the task's --cpus-per-task)
#   CARTELSIM_RESUME=1               OUT holds this run already (some shards failed or were
#                                    cancelled): complete shards are kept, interrupted ones
#                                    continue from their checkpoints, then merge again
#   CARTELSIM_FORCE=1                start over: replace the shard and merged outputs in OUT
#   CARTELSIM_SBATCH_ARGS            extra sbatch options for both jobs (partition, account,
#                                    time, --cpus-per-task, ...), split on spaces
#   CARTELSIM_ARRAY_LIMIT            at most this many shards at once (--array=0-(N-1)%LIMIT)
set -euo pipefail

die() { echo "submit.sh: $*" >&2; exit 2; }
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[ $# -le 2 ] || die "usage: submit.sh [SCENARIO.yaml [OUT]] (see the comments at the top for the environment)"
scenario=${1:-${CARTELSIM_SCENARIO:-scenarios/prieto-curiel-2023/baseline.yaml}}
[ -f "$scenario" ] || die "no scenario file $scenario"
scenario=$(abspath "$scenario")
name=$(basename "$scenario" .yaml)
out=$(abspath "${2:-${CARTELSIM_OUT:-out/slurm-$name}}")

shards=${CARTELSIM_SHARDS:-4}
case $shards in '' | *[!0-9]* | 0) die "CARTELSIM_SHARDS must be a positive integer, not '$shards'" ;; esac
replicates=${CARTELSIM_REPLICATES:-}
case $replicates in *[!0-9]*) die "CARTELSIM_REPLICATES must be a positive integer, not '$replicates'" ;; esac

if [ -n "${CARTELSIM_BIN:-}" ]; then
	bin=$CARTELSIM_BIN
elif [ -x ./cartelsim ]; then
	bin=./cartelsim
else
	bin=$(command -v cartelsim) || die "no cartelsim binary: build one with 'go build -o cartelsim ./cmd/cartelsim' or set CARTELSIM_BIN"
fi
case $bin in */*) bin=$(abspath "$bin") ;; esac
[ -x "$bin" ] || die "CARTELSIM_BIN=$bin is not executable"

if [ "${CARTELSIM_FORCE:-0}" != 1 ] && [ "${CARTELSIM_RESUME:-0}" != 1 ]; then
	for d in "$out"/shard-* "$out/merged"; do
		[ -e "$d" ] && die "$out already holds a run ($d): choose another OUT, or set CARTELSIM_RESUME=1 to finish it or CARTELSIM_FORCE=1 to start over"
	done
fi
mkdir -p "$out/logs" # Slurm does not create the directories of --output files

read -r -a extra <<<"${CARTELSIM_SBATCH_ARGS:-}"
array=0-$((shards - 1))
if [ -n "${CARTELSIM_ARRAY_LIMIT:-}" ]; then
	array+=%$CARTELSIM_ARRAY_LIMIT
fi

# sbatch exports this environment to the jobs (its default --export=ALL).
export CARTELSIM_SCENARIO=$scenario CARTELSIM_OUT=$out CARTELSIM_SHARDS=$shards \
	CARTELSIM_REPLICATES=$replicates CARTELSIM_BIN=$bin

array_job=$(sbatch --parsable "${extra[@]}" --array="$array" \
	--output="$out/logs/shard-%A_%a.out" "$here/cartelsim-array.sbatch")
array_job=${array_job%%;*} # --parsable prints "id;cluster" on multi-cluster sites
merge_job=$(sbatch --parsable "${extra[@]}" --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
	--output="$out/logs/merge-%j.out" "$here/cartelsim-merge.sbatch")
merge_job=${merge_job%%;*}

reps=${replicates:-"the scenario's"}
{
	echo "submit.sh: $scenario: $reps replicates in $shards shards"
	echo "submit.sh: array job $array_job (--array=$array) -> $out/shard-0..$((shards - 1))"
	echo "submit.sh: merge job $merge_job (afterok:$array_job) -> $out/merged; logs in $out/logs"
} >&2
echo "$array_job $merge_job"
