package dev.zeropoint.backends;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.runtime.kernels.Conv;

/** A convolution's sizes as the runtime kernels' geometry array ({@link Conv}'s indices). */
public final class ConvGeometry {
  private ConvGeometry() {}

  /** The geometry array of a conv2d or conv2d_acc node with these window attributes. */
  public static int[] of(Node n, Attrs.Conv2d window) {
    Shape x = n.operand(0).type().shape();
    Shape w = n.operand(1).type().shape();
    Shape out = n.result().type().shape();
    int outChannels = w.dim(0);
    int[] g = new int[Conv.GEOMETRY_SIZE];
    g[Conv.BATCH] = x.dim(0);
    g[Conv.IN_CHANNELS] = x.dim(1);
    g[Conv.HEIGHT] = x.dim(2);
    g[Conv.WIDTH] = x.dim(3);
    g[Conv.OUT_CHANNELS] = outChannels;
    g[Conv.IN_PER_GROUP] = w.dim(1);
    g[Conv.OUT_PER_GROUP] = outChannels / window.groups();
    g[Conv.KERNEL_H] = w.dim(2);
    g[Conv.KERNEL_W] = w.dim(3);
    g[Conv.OUT_H] = out.dim(2);
    g[Conv.OUT_W] = out.dim(3);
    g[Conv.STRIDE_H] = window.stride().get(0);
    g[Conv.STRIDE_W] = window.stride().get(1);
    g[Conv.PAD_TOP] = window.padding().get(0);
    g[Conv.PAD_LEFT] = window.padding().get(1);
    g[Conv.DILATION_H] = window.dilation().get(0);
    g[Conv.DILATION_W] = window.dilation().get(1);
    return g;
  }
}
