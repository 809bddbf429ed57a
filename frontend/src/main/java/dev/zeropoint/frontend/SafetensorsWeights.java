package dev.zeropoint.frontend;

import dev.zeropoint.frontend.tensorfile.Safetensors;
import dev.zeropoint.frontend.tensorfile.TensorFileException;
import dev.zeropoint.ir.TensorData;
import java.nio.file.Path;
import java.util.Optional;

/** A safetensors file as the model builder's weight table; tensors are memory-mapped, not copied. */
final class SafetensorsWeights implements WeightTable, AutoCloseable {
  private final Safetensors file;

  private SafetensorsWeights(Safetensors file) {
    this.file = file;
  }

  static WeightTable open(Path path, String shownName) throws WeightsException {
    try {
      return new SafetensorsWeights(Safetensors.open(path));
    } catch (TensorFileException e) {
      throw new WeightsException(e.getMessage());
    }
  }

  @Override
  public Optional<Info> info(String key) {
    return file.entry(key).map(e -> new Info(e.elementType(), e.shape()));
  }

  @Override
  public TensorData read(String key) throws WeightsException {
    try {
      return file.read(key);
    } catch (TensorFileException e) {
      throw new WeightsException(e.getMessage());
    }
  }

  @Override
  public void close() {
    file.close();
  }
}
