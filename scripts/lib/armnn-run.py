"""Runs a .tflite model in Arm NN (Debian's python3-pyarmnn, CpuRef backend): an independent
TFLite parser and reference kernels. Usage: armnn-run.py MODEL INPUTS OUTPUTS, where INPUTS is
raw float32 (n samples back to back) and OUTPUTS receives raw float32 outputs. For a model whose
input is uint8 or int8 the values are its raw integers (cast to that type), and its integer
outputs come back as they are (not dequantized). A model Arm NN cannot parse or run exits with
status 3 and one line on stderr saying why."""
import sys

import numpy as np
import pyarmnn as ann


def main(model, inputs_path, outputs_path):
    try:
        parser = ann.ITfLiteParser()
        network = parser.CreateNetworkFromBinaryFile(model)
        inp = parser.GetNetworkInputBindingInfo(0, parser.GetSubgraphInputTensorNames(0)[0])
        out = parser.GetNetworkOutputBindingInfo(0, parser.GetSubgraphOutputTensorNames(0)[0])
        runtime = ann.IRuntime(ann.CreationOptions())
        optimized, _ = ann.Optimize(
            network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions()
        )
        net_id, _ = runtime.LoadNetwork(optimized)
    except Exception as error:  # Arm NN raises RuntimeError with its parser's message
        print(str(error).strip().splitlines()[0][:300], file=sys.stderr)
        sys.exit(3)
    size = inp[1].GetNumElements()
    dtype = {ann.DataType_QAsymmU8: np.uint8, ann.DataType_QAsymmS8: np.int8}.get(
        inp[1].GetDataType(), np.float32
    )
    data = np.fromfile(inputs_path, dtype=np.float32).reshape(-1, size).astype(dtype)
    results = []
    for sample in data:
        outputs = ann.make_output_tensors([out])
        runtime.EnqueueWorkload(net_id, ann.make_input_tensors([inp], [sample]), outputs)
        results.append(ann.workload_tensors_to_ndarray(outputs)[0].astype(np.float32).ravel())
    np.concatenate(results).astype(np.float32).tofile(outputs_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
