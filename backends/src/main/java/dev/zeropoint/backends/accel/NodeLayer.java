package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import java.util.List;

/**
 * A layer that is one node whose operands are its inputs, all laid out as its result (pools, clamps,
 * adds): no multiply-accumulates counted.
 */
abstract sealed class NodeLayer implements Layer permits PoolLayer, ElementwiseLayer {
  final Node node;
  final TiledTensor in;
  final TiledTensor out;

  NodeLayer(Node node, TiledTensor in, TiledTensor out) {
    this.node = node;
    this.in = in;
    this.out = out;
  }

  @Override
  public List<Node> nodes() {
    return List.of(node);
  }

  @Override
  public List<Value> inputs() {
    return node.operands();
  }

  @Override
  public Value output() {
    return node.result();
  }

  @Override
  public TiledTensor in() {
    return in;
  }

  @Override
  public TiledTensor out() {
    return out;
  }

  @Override
  public long macs() {
    return 0;
  }
}
