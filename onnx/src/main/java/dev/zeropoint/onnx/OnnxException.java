package dev.zeropoint.onnx;

/** A model Zeropoint cannot import, with a message for the user (the file is named by the caller). */
public final class OnnxException extends Exception {
  private static final long serialVersionUID = 1L;

  public OnnxException(String message) {
    super(message);
  }

  public OnnxException(String message, Throwable cause) {
    super(message, cause);
  }
}
