/**
 * How many CPUs may Ponte use? In a container it is the CPU limit, not the
 * node's core count: a Kubernetes pod limited to 2 CPUs on a 64-core node
 * must see 2 (cgroup v2 `cpu.max`, or cgroup v1 `cpu.cfs_quota_us` on older
 * nodes), capped by the process's affinity (taskset, cpusets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { usableCpus } from '@ponte/core';
import { cgroupCpuQuota } from '../src/usable-cpus.js';

/** A cgroup filesystem root holding the given files (path → content). */
function cgroupRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ponte-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
  return root;
}

test('cgroup v2: cpu.max "quota period" is the limit in CPUs, "max" is no limit', () => {
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu.max': '200000 100000' })), 2);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu.max': '150000 100000' })), 1.5);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu.max': '50000 100000' })), 0.5);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu.max': 'max 100000' })), undefined);
});

test('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us, under cpu/ or cpu,cpuacct/; -1 is no limit', () => {
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu/cpu.cfs_quota_us': '100000', 'cpu/cpu.cfs_period_us': '100000' })), 1);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu,cpuacct/cpu.cfs_quota_us': '300000', 'cpu,cpuacct/cpu.cfs_period_us': '100000' })), 3);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' })), undefined);
});

test('no cgroup files, or unreadable ones, mean no limit rather than an error', () => {
  assert.equal(cgroupCpuQuota(cgroupRoot({})), undefined);
  assert.equal(cgroupCpuQuota(join(tmpdir(), 'ponte-no-such-cgroup-root')), undefined);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu.max': 'garbage' })), undefined);
  assert.equal(cgroupCpuQuota(cgroupRoot({ 'cpu/cpu.cfs_quota_us': '100000', 'cpu/cpu.cfs_period_us': '0' })), undefined);
});

test('usable CPUs are the affinity capped by the quota', () => {
  const cores = availableParallelism();
  assert.equal(usableCpus(cgroupRoot({ 'cpu.max': '50000 100000' })), Math.min(cores, 0.5));
  assert.equal(usableCpus(cgroupRoot({ 'cpu/cpu.cfs_quota_us': '6400000', 'cpu/cpu.cfs_period_us': '100000' })), Math.min(cores, 64));
  assert.equal(usableCpus(cgroupRoot({ 'cpu.max': 'max 100000' })), cores);
});
