// The native GEMM at the tutorial network's shapes (per worker of two, batch 128): forward
// products, input gradients, weight gradients, and the evaluation's chunks of 1,000; GFLOP/s of
// every instruction set path this CPU runs, the median of BENCH_GEMM_REPS timed repetitions.
// Timed in CPU seconds of this process (one thread), not wall time, so that a machine shared
// with other work still gives the kernel's own speed.
// The peak to compare with: cores' FMA units × lanes × 2 × clock (Zen 3 with AVX2: 2 × 8 × 2 = 32
// FLOP a cycle a core).
import { loadavg } from "node:os";
import {
  type GemmDescription,
  nativeIsas,
  requireNativeKernels,
} from "../src/train/engines/native-addon.ts";
import { median } from "./median.ts";

const reps = Number(process.env.BENCH_GEMM_REPS ?? (process.env.BENCH_QUICK === "1" ? 5 : 15));
const value = (i: number) => Math.fround(Math.sin(i * 12.9898) * 0.5);
const filled = (n: number) => Float32Array.from({ length: n }, (_, i) => value(i));

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  /** A stored transposed (the backward products read W as Wᵀ). */
  transposed?: boolean;
  ldc?: number;
  ldb?: number;
  bias?: boolean;
  relu?: boolean;
  mask?: boolean;
}

const shapes: Shape[] = [
  { name: "forward 1 (Wᵀ·Xᵀ)", m: 512, n: 64, k: 784, bias: true, relu: true },
  { name: "forward 2", m: 512, n: 64, k: 512, bias: true, relu: true },
  { name: "forward 3", m: 10, n: 64, k: 512, bias: true },
  {
    name: "input grad 2 (W·dZᵀ)",
    m: 512,
    n: 64,
    k: 512,
    transposed: true,
    ldc: 128,
    ldb: 128,
    mask: true,
  },
  { name: "input grad 3", m: 512, n: 64, k: 10, transposed: true, ldc: 128, ldb: 128, mask: true },
  { name: "weight grad 1 (dZᵀ·X)", m: 256, n: 784, k: 128 },
  { name: "weight grad 2", m: 256, n: 512, k: 128 },
  { name: "weight grad 3", m: 5, n: 512, k: 128 },
  { name: "evaluation 1 (chunk 1000)", m: 512, n: 1000, k: 784, bias: true, relu: true },
];

function describe(s: Shape) {
  const ldc = s.ldc ?? s.n;
  const ldb = s.ldb ?? s.n;
  const a = filled(s.m * s.k);
  const b = filled(s.k * ldb);
  const c = new Float32Array(s.m * ldc);
  const product: GemmDescription = {
    c: { data: c, ld: ldc },
    a: { data: a, ld: s.transposed ? s.m : s.k, transposed: s.transposed },
    b: { data: b, ld: ldb },
    m: s.m,
    n: s.n,
    k: s.k,
    bias: s.bias ? { data: filled(s.m) } : undefined,
    relu: s.relu,
    mask: s.mask ? { data: filled(s.m * ldc), ld: ldc } : undefined,
  };
  return product;
}

const isas = nativeIsas().filter((isa) => !isa.startsWith("naive"));
console.log(
  `gemm.bench: ${reps} repetitions per shape, paths ${isas.join(", ")}; load average ${loadavg()[0].toFixed(2)}`,
);
let flopsAll = 0;
const secondsAll = new Map<string, number>();
for (const shape of shapes) {
  const flops = 2 * shape.m * shape.n * shape.k;
  flopsAll += flops;
  const cells: string[] = [];
  for (const isa of isas) {
    const kernels = requireNativeKernels(isa);
    const product = describe(shape);
    const calls = Math.max(1, Math.round(2e8 / flops));
    for (let i = 0; i < calls; i++) kernels.gemm(product);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) kernels.gemm(product);
      const { user, system } = process.cpuUsage(t0);
      times.push((user + system) / 1e6 / calls);
    }
    const seconds = median(times);
    secondsAll.set(isa, (secondsAll.get(isa) ?? 0) + seconds);
    cells.push(`${isa} ${(flops / seconds / 1e9).toFixed(1)}`);
  }
  console.log(`${shape.name}, ${shape.m}×${shape.n}×${shape.k}: GFLOP/s ${cells.join(", ")}`);
}
console.log(
  `all shapes once: ${isas.map((isa) => `${isa} ${(flopsAll / (secondsAll.get(isa) ?? 1) / 1e9).toFixed(1)} GFLOP/s`).join(", ")}`,
);
