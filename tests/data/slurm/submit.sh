#!/bin/sh
# Submits the sweep "slurm-test" (12 runs) to Slurm:
# - array.sbatch, a job array of 3 tasks that run one shard of the sweep each;
# - merge.sbatch, which merges the shards once every task has succeeded (and is cancelled
#   if one fails).
# Written by `leadsim slurm`; run it with: sh @DIR@/submit.sh
set -eu
dir=@DIR@
mkdir -p "$dir/logs"
array=$(sbatch --parsable "$dir/array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$dir/merge.sbatch")
merge=${merge%%;*}
echo "array job: $array (3 tasks)"
echo "merge job: $merge"
echo "follow with: squeue -j $array,$merge"
echo "the merged result will be in $dir/merged; logs are in $dir/logs"
echo "if a task fails, see the comments at the top of $dir/array.sbatch"
