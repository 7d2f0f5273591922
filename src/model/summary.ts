import type * as tfl from "@tensorflow/tfjs-layers";

function shapeText(shape: tfl.Shape | tfl.Shape[]): string {
  const s = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  return `(${s.map((d) => (d === null ? "None" : String(d))).join(", ")})`;
}

/** The model's structure as Keras's model.summary() prints it: layer, output shape, parameters. */
export function modelSummary(model: tfl.LayersModel): string {
  const widths = [32, 25, 12];
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("")
      .trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const lines = [
    `Model: "${model.name}"`,
    rule("_"),
    row(["Layer (type)", "Output Shape", "Param #"]),
    rule("="),
  ];
  model.layers.forEach((layer, i) => {
    if (i > 0) lines.push(rule("_"));
    lines.push(
      row([
        `${layer.name} (${layer.getClassName()})`,
        shapeText(layer.outputShape),
        layer.countParams().toLocaleString("en-US"),
      ]),
    );
  });
  const total = model.countParams();
  const trainable = model.trainableWeights.reduce(
    (sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1),
    0,
  );
  lines.push(rule("="));
  lines.push(`Total params: ${total.toLocaleString("en-US")}`);
  lines.push(`Trainable params: ${trainable.toLocaleString("en-US")}`);
  lines.push(`Non-trainable params: ${(total - trainable).toLocaleString("en-US")}`);
  lines.push(rule("_"));
  return lines.join("\n");
}
