/**
 * The parts of TFLite's schema.fbs (tensorflow/lite/schema/schema.fbs, schema version 3) that
 * DigitKit writes and reads: enum values and each table's field slots. Slot numbers are field
 * positions in the .fbs declaration; a union field takes two slots (its type, then its value).
 */

export const FILE_IDENTIFIER = "TFL3";
export const SCHEMA_VERSION = 3;

/** enum TensorType : byte */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
  COMPLEX128: 11,
  UINT64: 12,
  RESOURCE: 13,
  VARIANT: 14,
  UINT32: 15,
  UINT16: 16,
  INT4: 17,
} as const;
export type TensorTypeValue = (typeof TensorType)[keyof typeof TensorType];

export const tensorTypeNames: Record<number, string> = Object.fromEntries(
  Object.entries(TensorType).map(([name, value]) => [value, name]),
);

/** Bytes per element of the tensor types whose buffers we size-check (others are not checked). */
export const tensorTypeBytes: Record<number, number> = {
  [TensorType.FLOAT32]: 4,
  [TensorType.FLOAT16]: 2,
  [TensorType.INT32]: 4,
  [TensorType.UINT8]: 1,
  [TensorType.INT64]: 8,
  [TensorType.BOOL]: 1,
  [TensorType.INT16]: 2,
  [TensorType.INT8]: 1,
  [TensorType.FLOAT64]: 8,
  [TensorType.UINT64]: 8,
  [TensorType.UINT32]: 4,
  [TensorType.UINT16]: 2,
};

/** enum BuiltinOperator : int32 — the ops DigitKit emits, plus a few common ones `info` names. */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  PAD: 34,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  SQUEEZE: 43,
  LEAKY_RELU: 98,
  QUANTIZE: 114,
  BATCH_MATMUL: 126,
} as const;
export type BuiltinOperatorValue = (typeof BuiltinOperator)[keyof typeof BuiltinOperator];

/** Codes at or above this live only in `builtin_code`; `deprecated_builtin_code` holds 127. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** union BuiltinOptions: the member index of each options table we use. */
export const BuiltinOptions = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  ReducerOptions: 27,
  DequantizeOptions: 38,
  LeakyReluOptions: 75,
  QuantizeOptions: 89,
} as const;

/** enum ActivationFunctionType : byte */
export const Activation = {
  NONE: 0,
  RELU: 1,
  RELU_N1_TO_1: 2,
  RELU6: 3,
  TANH: 4,
  SIGN_BIT: 5,
} as const;
export type ActivationValue = (typeof Activation)[keyof typeof Activation];

/** enum Padding : byte */
export const Padding = { SAME: 0, VALID: 1 } as const;
export type PaddingValue = (typeof Padding)[keyof typeof Padding];

/** Field slots of each table. */
export const ModelField = {
  version: 0,
  operator_codes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadata_buffer: 5,
  metadata: 6,
  signature_defs: 7,
  count: 8,
} as const;

export const OperatorCodeField = {
  deprecated_builtin_code: 0,
  custom_code: 1,
  version: 2,
  builtin_code: 3,
  count: 4,
} as const;

export const SubGraphField = {
  tensors: 0,
  inputs: 1,
  outputs: 2,
  operators: 3,
  name: 4,
  count: 5,
} as const;

export const TensorField = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  is_variable: 5,
  sparsity: 6,
  shape_signature: 7,
  has_rank: 8,
  count: 9,
} as const;

export const QuantizationField = {
  min: 0,
  max: 1,
  scale: 2,
  zero_point: 3,
  details_type: 4,
  details: 5,
  quantized_dimension: 6,
  count: 7,
} as const;

export const OperatorField = {
  opcode_index: 0,
  inputs: 1,
  outputs: 2,
  builtin_options_type: 3,
  builtin_options: 4,
  custom_options: 5,
  custom_options_format: 6,
  mutating_variable_inputs: 7,
  intermediates: 8,
  count: 9,
} as const;

export const BufferField = { data: 0, offset: 1, size: 2, count: 3 } as const;

/** table Metadata: a named buffer (min_runtime_version, TFLITE_METADATA, ...). */
export const MetadataField = { name: 0, buffer: 1, count: 2 } as const;

export const SignatureDefField = {
  inputs: 0,
  outputs: 1,
  signature_key: 2,
  deprecated_tag: 3,
  subgraph_index: 4,
  count: 5,
} as const;

export const TensorMapField = { name: 0, tensor_index: 1, count: 2 } as const;

export const Conv2DOptionsField = {
  padding: 0,
  stride_w: 1,
  stride_h: 2,
  fused_activation_function: 3,
  dilation_w_factor: 4,
  dilation_h_factor: 5,
  count: 6,
} as const;

export const Pool2DOptionsField = {
  padding: 0,
  stride_w: 1,
  stride_h: 2,
  filter_width: 3,
  filter_height: 4,
  fused_activation_function: 5,
  count: 6,
} as const;

export const FullyConnectedOptionsField = {
  fused_activation_function: 0,
  weights_format: 1,
  keep_num_dims: 2,
  asymmetric_quantize_inputs: 3,
  count: 4,
} as const;

export const DepthwiseConv2DOptionsField = {
  padding: 0,
  stride_w: 1,
  stride_h: 2,
  depth_multiplier: 3,
  fused_activation_function: 4,
  dilation_w_factor: 5,
  dilation_h_factor: 6,
  count: 7,
} as const;

export const SoftmaxOptionsField = { beta: 0, count: 1 } as const;
/** AddOptions and MulOptions both start with the fused activation. */
export const ArithmeticOptionsField = { fused_activation_function: 0, count: 1 } as const;
export const ReducerOptionsField = { keep_dims: 0, count: 1 } as const;
export const LeakyReluOptionsField = { alpha: 0, count: 1 } as const;
export const ReshapeOptionsField = { new_shape: 0, count: 1 } as const;
