package dev.zeropoint.ir;

import java.util.Optional;

/** The numerics flavour a model follows: whose integer arithmetic the compiled model reproduces. */
public enum Numerics {
  PYTORCH_QNNPACK("pytorch-qnnpack"),
  PYTORCH_FBGEMM("pytorch-fbgemm"),
  TFLITE("tflite"),
  TOSA("tosa"),
  ONNX("onnx"),
  /** Power-of-two scales, shift-only requantization (hardware without multipliers). */
  POW2("pow2");

  private final String keyword;

  Numerics(String keyword) {
    this.keyword = keyword;
  }

  public String keyword() {
    return keyword;
  }

  /** Whether the flavour is PyTorch's (either engine): the one whose quantized clamps, pad fills and pools are defined. */
  public boolean isPyTorch() {
    return this == PYTORCH_QNNPACK || this == PYTORCH_FBGEMM;
  }

  public static Optional<Numerics> fromKeyword(String keyword) {
    for (Numerics n : values()) {
      if (n.keyword.equals(keyword)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return keyword;
  }
}
