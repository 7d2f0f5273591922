import { elementCount, type GraphSpec, type OperatorSpec, ownBuffer } from "../tflite/graph.ts";
import { Activation, BuiltinOperator, Padding, TensorType } from "../tflite/schema.ts";

/**
 * A plain TypeScript interpreter for the float32 graphs the converter builds (FULLY_CONNECTED,
 * CONV_2D, MAX_POOL_2D, RESHAPE, SOFTMAX, RELU, RELU6). The int8 quantizer runs calibration
 * images through it to learn each activation tensor's range; it is not meant to be fast.
 */
export class ReferenceInterpreter {
  private readonly constants: (Float32Array | undefined)[];

  constructor(private readonly graph: GraphSpec) {
    this.constants = graph.tensors.map((t) => {
      if (!t.data) return undefined;
      if (t.type === TensorType.FLOAT32) {
        return new Float32Array(ownBuffer(t.data));
      }
      if (t.type === TensorType.INT32) {
        return Float32Array.from(new Int32Array(ownBuffer(t.data)));
      }
      throw new Error(`reference interpreter: tensor ${t.name} is not float32`);
    });
  }

  /** Runs one input; returns every tensor's values (constants and activations), by index. */
  run(input: Float32Array): Float32Array[] {
    const values: Float32Array[] = this.constants.map((c) => c ?? new Float32Array(0));
    values[this.graph.inputs[0]] = input;
    for (const op of this.graph.operators) values[op.outputs[0]] = this.apply(op, values);
    return values;
  }

  private apply(op: OperatorSpec, values: Float32Array[]): Float32Array {
    const shapeOf = (i: number) => this.graph.tensors[i].shape;
    const x = values[op.inputs[0]];
    const o = op.options;
    switch (op.op) {
      case BuiltinOperator.FULLY_CONNECTED: {
        if (o.kind !== "fullyConnected") break;
        const w = values[op.inputs[1]];
        const b = op.inputs[2] >= 0 ? values[op.inputs[2]] : undefined;
        const [units, inputs] = shapeOf(op.inputs[1]);
        const out = new Float32Array(units);
        for (let u = 0; u < units; u++) {
          let sum = b ? b[u] : 0;
          const row = u * inputs;
          for (let i = 0; i < inputs; i++) sum += w[row + i] * x[i];
          out[u] = sum;
        }
        return activate(out, o.activation);
      }
      case BuiltinOperator.CONV_2D: {
        if (o.kind !== "conv2d") break;
        const w = values[op.inputs[1]];
        const b = op.inputs[2] >= 0 ? values[op.inputs[2]] : undefined;
        const [, inH, inW, inC] = shapeOf(op.inputs[0]);
        const [outC, kh, kw] = shapeOf(op.inputs[1]);
        const [, outH, outW] = shapeOf(op.outputs[0]);
        const padTop = padBefore(o.padding, inH, kh, o.strideH, o.dilationH, outH);
        const padLeft = padBefore(o.padding, inW, kw, o.strideW, o.dilationW, outW);
        const out = new Float32Array(outH * outW * outC);
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            for (let c = 0; c < outC; c++) {
              let sum = b ? b[c] : 0;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * o.strideH + ky * o.dilationH - padTop;
                if (iy < 0 || iy >= inH) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * o.strideW + kx * o.dilationW - padLeft;
                  if (ix < 0 || ix >= inW) continue;
                  const xBase = (iy * inW + ix) * inC;
                  const wBase = ((c * kh + ky) * kw + kx) * inC;
                  for (let ic = 0; ic < inC; ic++) sum += x[xBase + ic] * w[wBase + ic];
                }
              }
              out[(oy * outW + ox) * outC + c] = sum;
            }
          }
        }
        return activate(out, o.activation);
      }
      case BuiltinOperator.MAX_POOL_2D: {
        if (o.kind !== "pool2d") break;
        const [, inH, inW, channels] = shapeOf(op.inputs[0]);
        const [, outH, outW] = shapeOf(op.outputs[0]);
        const padTop = padBefore(o.padding, inH, o.filterH, o.strideH, 1, outH);
        const padLeft = padBefore(o.padding, inW, o.filterW, o.strideW, 1, outW);
        const out = new Float32Array(outH * outW * channels).fill(Number.NEGATIVE_INFINITY);
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            for (let ky = 0; ky < o.filterH; ky++) {
              const iy = oy * o.strideH + ky - padTop;
              if (iy < 0 || iy >= inH) continue;
              for (let kx = 0; kx < o.filterW; kx++) {
                const ix = ox * o.strideW + kx - padLeft;
                if (ix < 0 || ix >= inW) continue;
                for (let c = 0; c < channels; c++) {
                  const v = x[(iy * inW + ix) * channels + c];
                  const k = (oy * outW + ox) * channels + c;
                  if (v > out[k]) out[k] = v;
                }
              }
            }
          }
        }
        return activate(out, o.activation);
      }
      case BuiltinOperator.RESHAPE:
        return x;
      case BuiltinOperator.SOFTMAX: {
        const beta = o.kind === "softmax" ? o.beta : 1;
        let max = Number.NEGATIVE_INFINITY;
        for (const v of x) max = Math.max(max, v);
        const out = new Float32Array(x.length);
        let total = 0;
        for (let i = 0; i < x.length; i++) {
          out[i] = Math.exp(beta * (x[i] - max));
          total += out[i];
        }
        for (let i = 0; i < x.length; i++) out[i] /= total;
        return out;
      }
      case BuiltinOperator.RELU:
        return activate(Float32Array.from(x), Activation.RELU);
      case BuiltinOperator.RELU6:
        return activate(Float32Array.from(x), Activation.RELU6);
    }
    throw new Error(`reference interpreter: unsupported op ${op.op}`);
  }
}

function activate(values: Float32Array, activation: number): Float32Array {
  if (activation === Activation.RELU) {
    for (let i = 0; i < values.length; i++) if (values[i] < 0) values[i] = 0;
  } else if (activation === Activation.RELU6) {
    for (let i = 0; i < values.length; i++) values[i] = Math.min(6, Math.max(0, values[i]));
  }
  return values;
}

/** TensorFlow's SAME padding puts the odd pixel after; VALID pads nothing. */
function padBefore(
  padding: number,
  size: number,
  window: number,
  stride: number,
  dilation: number,
  outSize: number,
): number {
  if (padding !== Padding.SAME) return 0;
  const effective = (window - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effective - size);
  return Math.floor(total / 2);
}

/** Element count of a graph tensor (for callers sizing calibration arrays). */
export function tensorSize(graph: GraphSpec, index: number): number {
  return elementCount(graph.tensors[index].shape);
}
