import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

/**
 * Idle and total CPU time of the whole machine so far, in clock ticks, its number of CPUs and
 * how many threads are runnable right now (Linux's /proc/stat), else undefined.
 */
function machineTicks():
  | { idle: number; total: number; cpus: number; running: number }
  | undefined {
  try {
    const lines = readFileSync("/proc/stat", "utf8").split("\n");
    const ticks = lines[0].trim().split(/\s+/).slice(1).map(Number);
    const cpus = lines.filter((l) => /^cpu\d/.test(l)).length;
    const running = Number(lines.find((l) => l.startsWith("procs_running "))?.split(" ")[1]);
    // user nice system idle iowait irq softirq steal …: idle and iowait are time nobody used.
    const idle = ticks[3] + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return Number.isFinite(idle + total) && cpus > 0 ? { idle, total, cpus, running } : undefined;
  } catch {
    return undefined;
  }
}

/** Runnable threads of other programs per core beyond which a second worker loses (see below). */
export const OVERSUBSCRIBED_PER_CORE = 5;

/**
 * How many workers to train with, judged while training starts (data loading, TF.js).
 *
 * One per core, unless the cores are heavily oversubscribed by other programs. Measured on two
 * cores (README, "Against PyTorch, the CNN included"): idle, with one core kept busy, and with
 * other sessions' jobs keeping ~3 threads a core runnable, two workers were as fast or faster
 * than one (Linux shares the CPU between sessions, and a second thread gets this session a
 * share of the second core); with ~10 a core, one beat two (workers meet at a barrier twice a
 * step and wait on whichever one the scheduler has just put aside). Then it gives one worker
 * per core left free: the machine's idle time plus this process's own over the start-up. Other
 * programs' demand is the median of /proc/stat's runnable threads at the start and at the end
 * and the load average, so that neither a moment's count nor the minute's mean alone decides.
 * Off Linux, the load average alone.
 */
export class IdleCoreProbe {
  private readonly ticks = machineTicks();
  private readonly cpu = process.cpuUsage();
  private readonly started = performance.now();

  workers(): number {
    const cores = availableParallelism();
    const seconds = (performance.now() - this.started) / 1000;
    const now = machineTicks();
    const load = loadavg()[0];
    // This thread is one of the runnable ones it counts.
    const others =
      now && this.ticks ? median3(this.ticks.running - 1, now.running - 1, load) : load;
    let free = cores - load;
    if (this.ticks && now && seconds >= 0.2 && now.total > this.ticks.total) {
      const idleShare = (now.idle - this.ticks.idle) / (now.total - this.ticks.total);
      const own = process.cpuUsage(this.cpu);
      free = idleShare * now.cpus + (own.user + own.system) / 1e6 / seconds;
    }
    return workersFor(cores, others, free);
  }
}

/**
 * The rule above: `cores` workers unless `others` (runnable threads of other programs) reach
 * OVERSUBSCRIBED_PER_CORE a core, then one per `free` core (at least one, at most `cores`).
 */
export function workersFor(cores: number, others: number, free: number): number {
  if (others < OVERSUBSCRIBED_PER_CORE * cores) return cores;
  return Math.min(cores, Math.max(1, Math.round(free)));
}

function median3(a: number, b: number, c: number): number {
  const finite = [a, b, c].filter(Number.isFinite).sort((x, y) => x - y);
  return finite.length ? finite[finite.length >> 1] : 0;
}
