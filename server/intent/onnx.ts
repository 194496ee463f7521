import onnxProto from 'onnx-proto';
import type { LinearIntentClassifier } from './classifier.js';

const { onnx } = onnxProto;

/** Opset of the exported graph. In opset 13 ReduceSum and Unsqueeze take `axes` as an input. */
export const INTENT_OPSET = 13;

/** Names of the graph's inputs and outputs, shared by the exporter and the serving session. */
export const INTENT_IO = { indices: 'indices', weights: 'weights', logits: 'logits', probabilities: 'probabilities' } as const;

function tensorType(elemType: number, dims: (number | string)[]): onnxProto.onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

function floatInitializer(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  // ONNX raw data is little-endian, as is every platform Node runs on here.
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/**
 * Serializes the classifier as an ONNX model (IR 8, opset 13):
 * `Gather(W, indices) · Unsqueeze(weights) → ReduceSum(axis 1) → Add(bias) → Softmax`.
 * Inputs: `indices` int64 `[batch, n]`, `weights` float `[batch, n]` (padding has weight 0).
 * Outputs: `logits` and `probabilities`, float `[batch, classes]`.
 */
export function exportOnnx(model: LinearIntentClassifier): Uint8Array {
  const { FLOAT, INT64 } = onnx.TensorProto.DataType;
  const c = model.classes;
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'switchboard_intent',
    initializer: [
      floatInitializer('embedding', [model.buckets, c], model.weights),
      floatInitializer('bias', [c], model.bias),
      { name: 'axis_2', dims: [1], dataType: INT64, int64Data: [2] },
      { name: 'axis_1', dims: [1], dataType: INT64, int64Data: [1] },
    ],
    node: [
      { opType: 'Gather', input: ['embedding', INTENT_IO.indices], output: ['rows'], name: 'gather', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { opType: 'Unsqueeze', input: [INTENT_IO.weights, 'axis_2'], output: ['weights_3d'], name: 'unsqueeze' },
      { opType: 'Mul', input: ['rows', 'weights_3d'], output: ['weighted'], name: 'mul' },
      { opType: 'ReduceSum', input: ['weighted', 'axis_1'], output: ['bag'], name: 'reduce_sum', attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { opType: 'Add', input: ['bag', 'bias'], output: [INTENT_IO.logits], name: 'add_bias' },
      { opType: 'Softmax', input: [INTENT_IO.logits], output: [INTENT_IO.probabilities], name: 'softmax', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }] },
    ],
    input: [
      { name: INTENT_IO.indices, type: tensorType(INT64, ['batch', 'n']) },
      { name: INTENT_IO.weights, type: tensorType(FLOAT, ['batch', 'n']) },
    ],
    output: [
      { name: INTENT_IO.logits, type: tensorType(FLOAT, ['batch', c]) },
      { name: INTENT_IO.probabilities, type: tensorType(FLOAT, ['batch', c]) },
    ],
  };
  const proto: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    producerName: 'switchboard',
    opsetImport: [{ domain: '', version: INTENT_OPSET }],
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(proto)).finish();
}
