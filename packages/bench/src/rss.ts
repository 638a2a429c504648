import { readdirSync, readFileSync } from 'node:fs';

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM …), or undefined when the process is gone. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Process ids whose process group is `pgid` (a server started by `startPinned` leads its own group). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: state ppid pgrp …
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid) out.push(Number(name));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Resident memory of a whole process group (gunicorn's master + worker, say), MB. */
export function groupRssMb(pgid: number): number {
  let kb = 0;
  for (const pid of groupMembers(pgid)) kb += statusKb(pid, 'VmRSS') ?? 0;
  return kb / 1024;
}

/**
 * Samples a process group's RSS at an interval; `stop()` returns the peak and
 * every sample. Sampling reads /proc only (no CPU on the server's core).
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly samples: Array<[number, number]> = [];
  private t0 = 0;

  constructor(private readonly pgid: number, private readonly intervalMs: number) {}

  /** Starts sampling (one sample right away). */
  start(): this {
    this.t0 = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Stops sampling; `samples` are [seconds since start, MB]. */
  stop(): { peakMb: number; samples: Array<[number, number]> } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return { peakMb: Math.max(0, ...this.samples.map((s) => s[1])), samples: this.samples };
  }

  private sample(): void {
    const mb = groupRssMb(this.pgid);
    if (mb > 0) this.samples.push([(performance.now() - this.t0) / 1000, mb]);
  }
}
