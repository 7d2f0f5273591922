import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

// Runs the real `digitkit` process under GNU time (for its peak memory), with a hard time limit:
// what the tests in test/hostile and bench/hostile.bench.ts hold each attack to.

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the process (GNU time's maximum RSS), in MB. */
  peakMB: number;
  /** Wall time: on a shared machine it grows with the load, so bounds are checked on CPU time. */
  seconds: number;
  /** CPU time of the process (user + system, all threads): what the input cost it. */
  cpuSeconds: number;
  timedOut: boolean;
}

/**
 * The bounds every input is held to (issue 11): an answer within 10 s and 1 GB. The 10 s are
 * held to the process's CPU time (the wall time on an idle machine of this kind is no more); the
 * wall time only has to stay under a hang limit, which a loaded machine stretches.
 */
export const LIMIT_SECONDS = 10;
export const LIMIT_MB = 1024;
/** Wall time after which a run counts as hung (generous: the machine is shared). */
export const HANG_SECONDS = 90;

const TIME = "/usr/bin/time";
const MARK = "@@peak-kb=";

export function runCli(
  args: string[],
  options: { timeoutSeconds?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliRun> {
  if (!existsSync(TIME)) {
    throw new Error(`${TIME} is missing: install Debian's "time" package (see .ci/run)`);
  }
  const timeout = (options.timeoutSeconds ?? HANG_SECONDS) * 1000;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      TIME,
      ["-f", `${MARK}%M %U %S`, process.execPath, "bin/digitkit.js", ...args],
      {
        env: { ...process.env, ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true, // its own process group, so a timeout kills node and time together
      },
    );
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c;
    });
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, timeout);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const at = stderr.lastIndexOf(MARK);
      const [kb, user, system] = (at >= 0 ? stderr.slice(at + MARK.length).trim() : "")
        .split(/\s+/)
        .map(Number);
      const peakMB = at >= 0 ? kb / 1024 : Number.NaN;
      const cpuSeconds = at >= 0 ? user + system : Number.NaN;
      if (at >= 0) stderr = stderr.slice(0, at);
      // GNU time reports a child killed by a signal as "Command terminated by signal N".
      const killed = /Command terminated by signal (\d+)/.exec(stderr);
      stderr = stderr.replace(
        /Command (terminated by signal \d+|exited with non-zero status \d+)\n?/g,
        "",
      );
      const status = killed ? null : code;
      const childSignal = killed ? (signalName(Number(killed[1])) ?? signal) : signal;
      resolve({
        status,
        signal: childSignal,
        stdout,
        stderr,
        peakMB,
        seconds,
        cpuSeconds,
        timedOut,
      });
    });
  });
}

function signalName(n: number): NodeJS.Signals | null {
  const names: Record<number, NodeJS.Signals> = { 2: "SIGINT", 9: "SIGKILL", 15: "SIGTERM" };
  return names[n] ?? null;
}

/** Stderr without blank lines: what the user was told. */
export const errorLines = (run: CliRun) => run.stderr.split("\n").filter((l) => l.trim() !== "");
