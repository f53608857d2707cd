#!/usr/bin/env bash
# Starts a private one-node Slurm cluster (munged, slurmctld, slurmd) under DIR, on the given ports, for the
# integration test. Everything it writes stays in DIR; stop-cluster.sh DIR stops it. Prints nothing on success;
# on failure prints one line saying why and exits non-zero (the test then skips with that line).
set -euo pipefail
dir=$1 ctld_port=$2 slurmd_port=$3
for tool in munged slurmctld slurmd sbatch squeue scancel sinfo; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 || { echo "$tool not installed"; exit 3; }
done
export PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" -eq 0 ] || { echo "not root (slurmd must start jobs as their user)"; exit 3; }
mkdir -p "$dir"/{state,spool,munge,log}
chmod 700 "$dir/munge"
host=$(hostname -s)

# munge: a key of our own and a socket of our own, so a system munged (if any) is left alone.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
  >"$dir/log/munged.out" 2>&1 || { echo "munged did not start: $(tail -n 1 "$dir/log/munged.out")"; exit 4; }

cat >"$dir/slurm.conf" <<CONF
ClusterName=cltest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
KillWait=20
SlurmdTimeout=60
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$dir/slurm.conf" -i >"$dir/log/slurmctld.out" 2>&1 || { echo "slurmctld did not start: $(tail -n 1 "$dir/log/slurmctld.out")"; exit 4; }
slurmd -f "$dir/slurm.conf" >"$dir/log/slurmd.out" 2>&1 || { echo "slurmd did not start: $(tail -n 1 "$dir/log/slurmd.out")"; exit 4; }

# Wait (up to 60 s) for the node to be idle.
for _ in $(seq 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  [ "$state" = idle ] && exit 0
  sleep 1
done
echo "the Slurm node did not become idle (state '${state:-none}'; see $dir/log)"
exit 5
