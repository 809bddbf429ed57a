"""Writes tests/src/test/resources/onnx/oracle.onnx, the small model OnnxRuntimeOracleTest runs (needs only
the onnx package):

    /usr/bin/python3 tools/torch/make_onnx_oracle_fixture.py [OUT]

Inputs x (float32[4]), a (uint8[3]), b (int8[3]), c (int32[2]); outputs q = QuantizeLinear(x, 0.5, 128)
(uint8), y = DequantizeLinear(q, 0.5, 128) (float32), a_out = Identity(a), b_neg = Neg(b), c_neg = Neg(c).
"""

import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "src" / "test" / "resources" / "onnx" / "oracle.onnx"


def main(argv):
    out = pathlib.Path(argv[1]) if len(argv) > 1 else OUT
    scale = numpy_helper.from_array(np.array(0.5, np.float32), "scale")
    zero_point = numpy_helper.from_array(np.array(128, np.uint8), "zero_point")
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "scale", "zero_point"], ["q"]),
        helper.make_node("DequantizeLinear", ["q", "scale", "zero_point"], ["y"]),
        helper.make_node("Identity", ["a"], ["a_out"]),
        helper.make_node("Neg", ["b"], ["b_neg"]),
        helper.make_node("Neg", ["c"], ["c_neg"]),
    ]
    graph = helper.make_graph(
        nodes, "oracle",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("a", TensorProto.UINT8, [3]),
         helper.make_tensor_value_info("b", TensorProto.INT8, [3]),
         helper.make_tensor_value_info("c", TensorProto.INT32, [2])],
        [helper.make_tensor_value_info("q", TensorProto.UINT8, [4]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("a_out", TensorProto.UINT8, [3]),
         helper.make_tensor_value_info("b_neg", TensorProto.INT8, [3]),
         helper.make_tensor_value_info("c_neg", TensorProto.INT32, [2])],
        initializer=[scale, zero_point])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zeropoint")
    model.ir_version = 7
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    print(f"{out}: {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
