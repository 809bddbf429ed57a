package dev.zeropoint.backends.c;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The static memory plan: every activation buffer gets an offset in one arena, and two buffers share
 * bytes only when their lifetimes (from the step that writes a buffer to the last step that reads
 * it) do not overlap. Buffers are placed largest first, each at the lowest aligned offset free of
 * every placed buffer it is live with (the greedy-by-size planner of TFLite's arena).
 */
public final class MemoryPlan {
  /** Offsets are multiples of this many bytes; the arena must be aligned to it. */
  public static final int ALIGNMENT = 64;

  /** A buffer to place: its size in bytes and the steps it is live in, first to last inclusive. */
  public record Buffer(String name, long bytes, int first, int last) {}

  private final List<Buffer> buffers;
  private final long[] offsets;
  private final long size;

  private MemoryPlan(List<Buffer> buffers, long[] offsets, long size) {
    this.buffers = buffers;
    this.offsets = offsets;
    this.size = size;
  }

  /** Places the buffers. */
  public static MemoryPlan of(List<Buffer> buffers) {
    List<Buffer> all = List.copyOf(buffers);
    long[] offsets = new long[all.size()];
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong((Integer i) -> -all.get(i).bytes()).thenComparingInt(i -> all.get(i).first())
        .thenComparingInt(i -> i));
    List<Integer> placed = new ArrayList<>();
    long size = 0;
    for (int i : order) {
      Buffer b = all.get(i);
      // Occupied intervals of the placed buffers live at the same time, by offset.
      List<long[]> busy = new ArrayList<>();
      for (int j : placed) {
        Buffer o = all.get(j);
        if (o.first() <= b.last() && b.first() <= o.last() && o.bytes() > 0) {
          busy.add(new long[] {offsets[j], offsets[j] + o.bytes()});
        }
      }
      busy.sort(Comparator.comparingLong(r -> r[0]));
      long at = 0;
      for (long[] r : busy) {
        if (at + b.bytes() <= r[0]) {
          break;
        }
        at = Math.max(at, align(r[1]));
      }
      offsets[i] = at;
      size = Math.max(size, at + b.bytes());
      placed.add(i);
    }
    return new MemoryPlan(all, offsets, align(size));
  }

  /** The offset of buffer {@code i} (in the order given to {@link #of}). */
  public long offset(int i) {
    return offsets[i];
  }

  /** The arena's size in bytes. */
  public long size() {
    return size;
  }

  /** The bytes every buffer would take with one buffer per tensor, each aligned. */
  public long naiveSize() {
    long s = 0;
    for (Buffer b : buffers) {
      s += align(b.bytes());
    }
    return s;
  }

  public List<Buffer> buffers() {
    return buffers;
  }

  static long align(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }
}
