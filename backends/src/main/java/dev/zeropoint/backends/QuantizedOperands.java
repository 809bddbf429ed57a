package dev.zeropoint.backends;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import java.util.Optional;

/**
 * The per-tensor parameters of a quantized binary op (add, mul) that PyTorch runs: both operands
 * and the result share one storage type, quint8 or qint8 (PyTorch refuses mixed types), in
 * pytorch-qnnpack. Shared by the interpreter and the compiled backends, which each report a
 * combination outside it in their own way.
 */
public record QuantizedOperands(Quantization.PerTensor a, Quantization.PerTensor b, Quantization.PerTensor out,
    ElementType storage) {

  /** The parameters, or empty when PyTorch would not run this combination. */
  public static Optional<QuantizedOperands> of(TensorType a, TensorType b, TensorType out, Numerics numerics) {
    ElementType storage = out.elementType();
    Optional<Quantization.PerTensor> qa = a.perTensor();
    Optional<Quantization.PerTensor> qb = b.perTensor();
    Optional<Quantization.PerTensor> qo = out.perTensor();
    if (numerics != Numerics.PYTORCH_QNNPACK || qa.isEmpty() || qb.isEmpty() || qo.isEmpty()
        || (storage != ElementType.U8 && storage != ElementType.I8)
        || a.elementType() != storage || b.elementType() != storage) {
      return Optional.empty();
    }
    return Optional.of(new QuantizedOperands(qa.get(), qb.get(), qo.get(), storage));
  }

  public int zpA() {
    return (int) a.zeroPoint();
  }

  public int zpB() {
    return (int) b.zeroPoint();
  }

  public int zpOut() {
    return (int) out.zeroPoint();
  }
}
