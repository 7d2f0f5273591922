/**
 * Test hook for crash safety: when DIGITKIT_FAILPOINT names this point, the process kills itself
 * there with SIGKILL, as a power cut or `kill -9` would, so tests can stop a checkpoint at every
 * step of its commit instead of hoping a random kill lands inside a few milliseconds.
 */
export function failpoint(name: string): void {
  if (process.env.DIGITKIT_FAILPOINT === name) process.kill(process.pid, "SIGKILL");
}
