import { ImportError } from "./import-error.ts";

/**
 * A Keras model configuration (Keras 2 / tf.keras `model_config`, Keras 3 `config.json`, or a
 * TF.js `modelTopology`, which is Keras 2's) read as one chain of layers: Sequential models as
 * they are, functional models only when every layer feeds exactly the next one.
 */

export type Config = Record<string, unknown>;

export interface LayerEntry {
  className: string;
  name: string;
  config: Config;
}

export interface ModelConfig {
  name: string;
  /** The input shape without the batch axis, when the configuration gives one. */
  inputShape?: number[];
  layers: LayerEntry[];
}

/** Bounds: what a real digit model needs, many times over. */
const MAX_LAYERS = 1000;

function isObject(value: unknown): value is Config {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses JSON text from a file; not JSON is one line. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ImportError(`${what} is not valid JSON`);
  }
}

function entryOf(raw: unknown, index: number): LayerEntry {
  if (!isObject(raw) || typeof raw.class_name !== "string") {
    throw new ImportError(`layer ${index} of the model configuration has no class_name`);
  }
  const config = isObject(raw.config) ? raw.config : {};
  const name = typeof config.name === "string" ? config.name : String(raw.name ?? `layer_${index}`);
  return { className: raw.class_name, name, config };
}

/** [null, 28, 28, 1] → [28, 28, 1]; undefined when the value is not such a shape. */
function dropBatch(shape: unknown): number[] | undefined {
  if (!Array.isArray(shape) || shape.length < 2) return undefined;
  const rest = shape.slice(1);
  if (!rest.every((d) => Number.isInteger(d) && d > 0 && d <= 1 << 20)) return undefined;
  return rest as number[];
}

/** The input shape a layer entry declares (Keras 2 batch_input_shape, Keras 3 batch_shape). */
export function declaredInputShape(entry: LayerEntry): number[] | undefined {
  const c = entry.config;
  return dropBatch(c.batch_input_shape) ?? dropBatch(c.batch_shape);
}

/**
 * `check` sees every layer entry before the chain is followed, so an unsupported layer is
 * named as such even when it also breaks the chain.
 */
export function parseModelConfig(
  json: unknown,
  check?: (entries: LayerEntry[]) => void,
): ModelConfig {
  if (!isObject(json) || typeof json.class_name !== "string") {
    throw new ImportError("the model configuration is not a Keras model (no class_name)");
  }
  const config = json.config;
  const className = json.class_name;
  // Keras 2.0 wrote a Sequential's config as the bare list of layers.
  const layerList = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layerList)) {
    throw new ImportError(`the ${className} model configuration has no layer list`);
  }
  if (layerList.length > MAX_LAYERS) {
    throw new ImportError(`the model has ${layerList.length} layers, more than ${MAX_LAYERS}`);
  }
  const name = isObject(config) && typeof config.name === "string" ? config.name : "model";
  const entries = layerList.map(entryOf);
  check?.(entries);
  let layers: LayerEntry[];
  if (className === "Sequential") layers = entries;
  else if (className === "Functional" || className === "Model") {
    layers = chainOf(entries, layerList as Config[], config as Config);
  } else {
    throw new ImportError(`a model of class ${className} is not supported (Sequential or Model)`);
  }
  const buildShape = isObject(config)
    ? (dropBatch(config.build_input_shape) ??
      dropBatch(isObject(json.build_config) ? json.build_config.input_shape : undefined))
    : undefined;
  const inputShape = layers.map(declaredInputShape).find((s) => s !== undefined) ?? buildShape;
  return { name, inputShape, layers };
}

/** The names of the layers a functional layer entry takes its inputs from. */
function inboundNames(raw: Config): string[][] {
  const nodes = raw.inbound_nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => {
    const names: string[] = [];
    // Keras 2: [[name, node, tensor, kwargs], ...]; Keras 3: {args: [keras tensors], kwargs}.
    const visit = (value: unknown, depth: number) => {
      if (depth > 8) return;
      if (Array.isArray(value)) {
        if (typeof value[0] === "string" && typeof value[1] === "number") names.push(value[0]);
        else for (const v of value) visit(v, depth + 1);
      } else if (isObject(value)) {
        if (value.class_name === "__keras_tensor__" && isObject(value.config)) {
          const history = value.config.keras_history;
          if (Array.isArray(history) && typeof history[0] === "string") names.push(history[0]);
        } else if (Array.isArray(value.args)) visit(value.args, depth + 1);
      }
    };
    visit(node, 0);
    return names;
  });
}

/** ["name", 0, 0] or [["name", 0, 0], ...] → the layer names. */
function endpointNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  if (typeof value[0] === "string") return [value[0]];
  return value.flatMap((v) => (Array.isArray(v) && typeof v[0] === "string" ? [v[0]] : []));
}

function chainOf(entries: LayerEntry[], raws: Config[], config: Config): LayerEntry[] {
  const inputs = endpointNames(config.input_layers);
  const outputs = endpointNames(config.output_layers);
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new ImportError(
      `the model has ${inputs.length} inputs and ${outputs.length} outputs; only one of each is supported`,
    );
  }
  const byName = new Map<string, { entry: LayerEntry; inbound: string[][] }>();
  entries.forEach((entry, i) => {
    byName.set(entry.name, { entry, inbound: inboundNames(raws[i]) });
  });
  const chain: LayerEntry[] = [];
  const seen = new Set<string>();
  let current: string | undefined = outputs[0];
  while (current !== undefined) {
    const layer = byName.get(current);
    if (!layer) throw new ImportError(`the model configuration names a missing layer "${current}"`);
    if (seen.has(current)) throw new ImportError(`layer "${current}" is used twice (a loop)`);
    seen.add(current);
    chain.push(layer.entry);
    if (current === inputs[0]) break;
    if (layer.inbound.length !== 1 || layer.inbound[0].length !== 1) {
      const { className, name } = layer.entry;
      throw new ImportError(
        `layer "${name}" (${className}) takes ${layer.inbound.flat().length} inputs; only single-chain models are supported`,
      );
    }
    current = layer.inbound[0][0];
  }
  if (chain[chain.length - 1]?.name !== inputs[0]) {
    throw new ImportError("the model's output does not lead back to its input");
  }
  const unused = entries.filter((e) => !seen.has(e.name));
  if (unused.length > 0) {
    const e = unused[0];
    throw new ImportError(
      `layer "${e.name}" (${e.className}) is not on the path from input to output; only single-chain models are supported`,
    );
  }
  return chain.reverse();
}
