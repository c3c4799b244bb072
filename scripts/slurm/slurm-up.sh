#!/usr/bin/env bash
# Start a throwaway single-node Slurm (22.05, Debian 12) under $SLURM_TEST_ROOT. Run as root.
# From the recipe in the research notes (slurm.md): no systemd, no cgroups, no database; used by
# test/sweep/slurm.test.ts and CI. Usage: SLURM_TEST_ROOT=DIR scripts/slurm/slurm-up.sh; export SLURM_CONF=DIR/etc/slurm.conf
set -euo pipefail
ROOT=${SLURM_TEST_ROOT:?set SLURM_TEST_ROOT to a scratch folder}
AUTH=${SLURM_TEST_AUTH:-munge}          # munge | none
NCPU=${SLURM_TEST_CPUS:-$(nproc)}
export SLURM_CONF=$ROOT/etc/slurm.conf

rm -rf "$ROOT"; mkdir -p "$ROOT"/{etc,state,spool,run,log,out}
chmod 1777 "$ROOT/out"

if [ "$AUTH" = munge ]; then
  [ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  install -d -o munge -g munge -m 0755 /run/munge
  if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
  fi
  for i in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null
  AUTHTYPE=auth/munge; CREDTYPE=cred/munge
else
  AUTHTYPE=auth/none; CREDTYPE=cred/none
fi

cat > "$SLURM_CONF" <<CONF
ClusterName=citest
SlurmctldHost=localhost
SlurmctldPort=6817
SlurmdPort=6818
AuthType=$AUTHTYPE
CredType=$CREDTYPE
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$ROOT/state
SlurmdSpoolDir=$ROOT/spool
SlurmctldPidFile=$ROOT/run/slurmctld.pid
SlurmdPidFile=$ROOT/run/slurmd.pid
SlurmctldLogFile=$ROOT/log/slurmctld.log
SlurmdLogFile=$ROOT/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$ROOT/log/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
SchedulerParameters=${SLURM_TEST_SCHED_PARAMS:-batch_sched_delay=0}
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld            # daemonizes; pid in $ROOT/run/slurmctld.pid
slurmd -N localhost  # daemonizes; -N pins the node name independent of `hostname`
for i in $(seq 100); do
  [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ] && break
  sleep 0.1
done
if [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" != idle ]; then
  echo "slurm did not become idle" >&2; sinfo -N -l >&2 || true; tail -n 30 "$ROOT"/log/*.log >&2; exit 1
fi
# Optional warm-up: the first job after start-up waits ~3 s for the scheduler; later ones start in ~1 s.
if [ "${SLURM_TEST_WARMUP:-1}" = 1 ]; then
  w=$(sbatch --parsable -J warmup -o /dev/null --wrap true)
  for i in $(seq 150); do [ -z "$(squeue -h -j "$w" -o %i 2>/dev/null)" ] && break; sleep 0.1; done
  [ "$(squeue -h -t all -j "$w" -o %T)" = COMPLETED ] || { echo "warm-up job failed" >&2; tail -n 30 "$ROOT"/log/*.log >&2; exit 1; }
fi
echo "slurm up (SLURM_CONF=$SLURM_CONF)"
