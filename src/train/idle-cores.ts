import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

/**
 * Idle and total CPU time of the whole machine so far, in clock ticks, and its number of CPUs
 * (Linux's /proc/stat), else undefined.
 */
function machineTicks(): { idle: number; total: number; cpus: number } | undefined {
  try {
    const lines = readFileSync("/proc/stat", "utf8").split("\n");
    const ticks = lines[0].trim().split(/\s+/).slice(1).map(Number);
    const cpus = lines.filter((l) => /^cpu\d/.test(l)).length;
    // user nice system idle iowait irq softirq steal …: idle and iowait are time nobody used.
    const idle = ticks[3] + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return Number.isFinite(idle + total) && cpus > 0 ? { idle, total, cpus } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many cores are free for training, watched over the start-up (data loading, TF.js): the
 * machine's idle time plus this process's own, per second of the interval. Unlike the load
 * average (a minute's mean) it sees a core that another job took a moment ago, and a job that
 * just ended. Off Linux, or over too short an interval, it falls back to the load average.
 */
export class IdleCoreProbe {
  private readonly ticks = machineTicks();
  private readonly cpu = process.cpuUsage();
  private readonly started = performance.now();

  /** One worker per free core, at least one and at most one per core. */
  workers(): number {
    const cores = availableParallelism();
    const seconds = (performance.now() - this.started) / 1000;
    const now = machineTicks();
    let free = cores - loadavg()[0];
    if (this.ticks && now && seconds >= 0.2 && now.total > this.ticks.total) {
      const idleShare = (now.idle - this.ticks.idle) / (now.total - this.ticks.total);
      const own = process.cpuUsage(this.cpu);
      free = idleShare * now.cpus + (own.user + own.system) / 1e6 / seconds;
    }
    return Math.min(cores, Math.max(1, Math.round(free)));
  }
}
