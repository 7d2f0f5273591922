import { type Architecture, buildModel } from "../model/architectures.ts";
import { Hdf5File } from "./hdf5.ts";
import { ImportError } from "./import-error.ts";
import { expectedInputMax } from "./input-scale.ts";
import { type ModelConfig, parseJson, parseModelConfig } from "./keras-config.ts";
import { checkSupported, describeChain, type ImportedLayer } from "./layers.ts";
import { readKeras2Weights, readKeras3Weights, readWeightsByPosition } from "./weights.ts";
import { readZipEntries } from "./zip.ts";

/**
 * Keras and TF.js files → one chain of layers with their weights, whatever the file kind:
 * Keras 3 `.keras`, Keras 2 / tf.keras / legacy Keras 3 full `.h5`, a weights-only `.h5` with
 * an architecture, or a TF.js layers model.json with its shards. The kind is told by the
 * bytes (zip, HDF5 or JSON signature), not by the name. No Node imports: the browser can use it.
 */

export interface ImportedModel {
  /** The kind of file, in words ("Keras 3 .keras (Keras 3.13.2)"). */
  format: string;
  name: string;
  /** The model's input shape without the batch axis. */
  inputShape: number[];
  layers: ImportedLayer[];
  /** The input's value for white: 1 (byte / 255), or 255 for a model that rescales bytes itself. */
  inputMax: 1 | 255;
}

export interface ImportOptions {
  /** The architecture for a weights-only file (DigitKit's own: mlp is the tutorial's network). */
  arch?: Architecture;
}

const MiB = 1 << 20;
/** Largest archive members we inflate. */
const ZIP_LIMITS = {
  "config.json": 16 * MiB,
  "metadata.json": MiB,
  "model.weights.h5": 1024 * MiB,
};
const MAX_WEIGHTS = 64 * MiB; // float values in one model

const decoder = new TextDecoder("utf-8", { fatal: false });

export type FileKind = "zip" | "hdf5" | "json" | "unknown";

export function fileKind(bytes: Uint8Array): FileKind {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return "zip";
  if (Hdf5File.isHdf5(bytes)) return "hdf5";
  let i = 0;
  while (i < bytes.length && i < 64 && /\s/.test(String.fromCharCode(bytes[i]))) i++;
  return bytes[i] === 0x7b ? "json" : "unknown";
}

function chainOf(config: ModelConfig, fallbackShape?: number[]): ImportedLayer[] {
  const inputShape = config.inputShape ?? fallbackShape;
  if (!inputShape) throw new ImportError("the model configuration does not give its input shape");
  const layers = describeChain(config.layers, inputShape);
  const total = layers.reduce(
    (sum, l) => sum + l.weightShapes.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0),
    0,
  );
  if (total > MAX_WEIGHTS)
    throw new ImportError(`the model has ${total} weights, more than ${MAX_WEIGHTS}`);
  return layers;
}

function model(format: string, config: ModelConfig, layers: ImportedLayer[]): ImportedModel {
  return {
    format,
    name: config.name,
    inputShape: layers[0]?.inputShape ?? config.inputShape ?? [],
    layers,
    inputMax: expectedInputMax(layers),
  };
}

/** A Keras 3 `.keras` archive: config.json, metadata.json, model.weights.h5. */
export function importKerasArchive(bytes: Uint8Array): ImportedModel {
  const entries = readZipEntries(bytes, ZIP_LIMITS);
  const configBytes = entries.get("config.json");
  const weightBytes = entries.get("model.weights.h5");
  if (!configBytes || !weightBytes) {
    throw new ImportError("not a Keras .keras archive (config.json or model.weights.h5 missing)");
  }
  const metadata = entries.get("metadata.json");
  let version = "";
  if (metadata) {
    const meta = parseJson(decoder.decode(metadata), "metadata.json") as {
      keras_version?: unknown;
    };
    if (typeof meta?.keras_version === "string")
      version = ` (Keras ${meta.keras_version.slice(0, 20)})`;
  }
  const config = parseModelConfig(
    parseJson(decoder.decode(configBytes), "config.json"),
    checkSupported,
  );
  const layers = chainOf(config);
  readKeras3Weights(Hdf5File.open(weightBytes), layers);
  return model(`Keras 3 .keras${version}`, config, layers);
}

/** A Keras `.h5`: a full model (model_config + model_weights), or weights only with `arch`. */
export function importKerasHdf5(bytes: Uint8Array, options: ImportOptions = {}): ImportedModel {
  const h5 = Hdf5File.open(bytes);
  const modelConfig = h5.stringAttribute("", "model_config");
  const version =
    h5.stringAttribute("", "keras_version") ?? h5.stringAttribute("model_weights", "keras_version");
  const versionText = version ? ` (Keras ${version.slice(0, 20)})` : "";
  if (modelConfig !== undefined) {
    if (options.arch) {
      throw new ImportError("this .h5 is a full model with its own architecture: leave out --arch");
    }
    const config = parseModelConfig(
      parseJson(modelConfig, 'the "model_config" attribute'),
      checkSupported,
    );
    const layers = chainOf(config);
    const root = h5.hasGroup("model_weights") ? "model_weights" : "";
    readKeras2Weights(h5, root, layers);
    return model(`Keras full-model .h5${versionText}`, config, layers);
  }
  if (!options.arch) {
    throw new ImportError(
      "this .h5 holds weights only (no model_config): give the architecture with --arch mlp|cnn",
    );
  }
  const config = parseModelConfig(buildModel(options.arch).toJSON(null, false));
  const layers = chainOf(config);
  readWeightsByPosition(h5, layers);
  return model(`Keras weights-only .h5${versionText} on --arch ${options.arch}`, config, layers);
}

interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
}

/**
 * A TF.js layers model: model.json (Keras 2 topology + weights manifest) and its shards, read
 * through `readShard` (a path relative to model.json → bytes), each checked against the manifest.
 */
export async function importTfjsModel(
  jsonText: string,
  readShard: (path: string) => Promise<Uint8Array>,
): Promise<ImportedModel> {
  const json = parseJson(jsonText, "model.json") as {
    modelTopology?: Record<string, unknown>;
    weightsManifest?: { paths?: unknown; weights?: unknown }[];
  };
  const topology = json?.modelTopology;
  if (!topology || !Array.isArray(json.weightsManifest)) {
    throw new ImportError("not a TF.js layers model.json (no modelTopology or weightsManifest)");
  }
  const config = parseModelConfig(topology.model_config ?? topology, checkSupported);
  const layers = chainOf(config);
  const specs: TfjsWeightSpec[] = [];
  const paths: string[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new ImportError("model.json has a malformed weightsManifest");
    }
    paths.push(...group.paths.map(String));
    specs.push(...(group.weights as TfjsWeightSpec[]));
  }
  let expectedBytes = 0;
  for (const spec of specs) {
    if (spec.quantization || (spec.dtype ?? "float32") !== "float32") {
      throw new ImportError(
        `TF.js weight "${spec.name}" is quantized or not float32: not supported`,
      );
    }
    if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ImportError(`TF.js weight "${spec.name}" has no valid shape`);
    }
    expectedBytes += spec.shape.reduce((a, b) => a * b, 1) * 4;
  }
  if (expectedBytes > MAX_WEIGHTS * 4) throw new ImportError("model.json lists too many weights");
  const buffers: Uint8Array[] = [];
  let total = 0;
  for (const path of paths) {
    const shard = await readShard(path);
    total += shard.length;
    if (total > expectedBytes)
      throw new ImportError(
        `the weight shards hold more than the ${expectedBytes} bytes model.json lists`,
      );
    buffers.push(shard);
  }
  if (total !== expectedBytes) {
    throw new ImportError(
      `the weight shards hold ${total} bytes, model.json lists ${expectedBytes}`,
    );
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    all.set(b, offset);
    offset += b.length;
  }
  const values = new Map<string, Float32Array>();
  offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    values.set(spec.name, new Float32Array(all.buffer.slice(offset, offset + n * 4)));
    offset += n * 4;
  }
  for (const layer of layers) {
    if (layer.weightShapes.length === 0) continue;
    const own = specs.filter((s) => s.name.startsWith(`${layer.name}/`));
    if (own.length !== layer.weightShapes.length) {
      throw new ImportError(
        `model.json lists ${own.length} weights for layer "${layer.name}", it needs ${layer.weightShapes.length}`,
      );
    }
    layer.weights = layer.weightShapes.map(({ shape }, i) => {
      if (own[i].shape.join(",") !== shape.join(",")) {
        throw new ImportError(
          `TF.js weight "${own[i].name}" has shape [${own[i].shape}], the model needs [${shape}]`,
        );
      }
      return { shape, values: values.get(own[i].name)! };
    });
  }
  return model("TF.js layers model.json", config, layers);
}

/** Any supported single-file model (.keras or .h5), told by its bytes. */
export function importModelBytes(bytes: Uint8Array, options: ImportOptions = {}): ImportedModel {
  switch (fileKind(bytes)) {
    case "zip":
      if (options.arch)
        throw new ImportError("a .keras file has its own architecture: leave out --arch");
      return importKerasArchive(bytes);
    case "hdf5":
      return importKerasHdf5(bytes, options);
    default:
      throw new ImportError("not a Keras model (neither a .keras zip nor an HDF5 .h5 file)");
  }
}
