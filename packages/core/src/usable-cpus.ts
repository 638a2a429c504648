import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * The CPU quota of the process's cgroup in CPUs (quota / period), or
 * undefined when there is none. Reads cgroup v2 (`cpu.max`) and, failing that,
 * cgroup v1 (`cpu/cpu.cfs_quota_us` and `cpu.cfs_period_us`, also under the
 * `cpu,cpuacct` name). Inside a container the namespace root is the
 * container's own cgroup, so these are its limits — a Kubernetes `cpu: "2"`
 * limit reads as 2 here, while the node may have 64 cores.
 */
export function cgroupCpuQuota(root = '/sys/fs/cgroup'): number | undefined {
  const v2 = readText(join(root, 'cpu.max'));
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    return quota === 'max' ? undefined : ratio(quota, period);
  }
  for (const dir of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
    const quota = readText(join(root, dir, 'cpu.cfs_quota_us'));
    if (quota === undefined) continue;
    // -1: no quota.
    return ratio(quota, readText(join(root, dir, 'cpu.cfs_period_us')));
  }
  return undefined;
}

/**
 * CPUs this process may use: its affinity (taskset, cpusets) capped by its
 * cgroup CPU quota. May be fractional (a 1.5-CPU limit gives 1.5).
 *
 * @example
 * ```ts
 * const processes = Math.max(1, Math.ceil(usableCpus()));
 * ```
 */
export function usableCpus(cgroupRoot?: string): number {
  const quota = cgroupCpuQuota(cgroupRoot);
  const cpus = availableParallelism();
  return quota === undefined ? cpus : Math.min(cpus, quota);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && q > 0 && Number.isFinite(p) && p > 0 ? q / p : undefined;
}
