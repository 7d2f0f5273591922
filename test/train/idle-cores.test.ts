import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { IdleCoreProbe, OVERSUBSCRIBED_PER_CORE, workersFor } from "../../src/train/idle-cores.ts";

// The default --workers (README, "Against PyTorch, the CNN included"): every core unless other
// programs keep the cores heavily oversubscribed, then one per core left free.

test("every core gets a worker on an idle machine, with one core busy, and under moderate load", () => {
  assert.equal(workersFor(2, 0, 2), 2);
  assert.equal(workersFor(2, 1, 1), 2); // one core kept busy: two workers measured faster
  assert.equal(workersFor(2, 6, 0.4), 2); // ~3 runnable threads a core from other sessions
  assert.equal(workersFor(16, 3, 13), 16);
});

test("heavily oversubscribed cores get one worker per core left free, at least one", () => {
  const heavy = OVERSUBSCRIBED_PER_CORE * 2;
  assert.equal(workersFor(2, heavy, 0.3), 1);
  assert.equal(workersFor(2, 20, 1.6), 2);
  assert.equal(workersFor(2, 20, 9), 2);
  assert.equal(workersFor(16, 100, 4.4), 4);
});

test("the probe answers a whole number of workers between one and the cores", async () => {
  const probe = new IdleCoreProbe();
  await new Promise((resolve) => setTimeout(resolve, 250));
  const workers = probe.workers();
  assert.ok(Number.isInteger(workers) && workers >= 1 && workers <= availableParallelism());
});
