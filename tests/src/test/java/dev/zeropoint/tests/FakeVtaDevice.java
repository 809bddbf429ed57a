package dev.zeropoint.tests;

import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.SimulationException;
import dev.zeropoint.backends.accel.Simulator;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The device of the fake VTA driver ({@code src/test/resources/vta/fake_vta.c}): {@code FakeVtaDevice FILE PHYS
 * OFFSET COUNT TARGET} runs the {@code COUNT} instructions at byte {@code OFFSET} of the device memory in {@code FILE},
 * a buffer at physical address {@code PHYS}, on the simulator of {@code TARGET} (the relocated {@code dram_base} fields
 * count from physical address 0), and writes the memory back. A simulation error is one line on stderr and exit
 * status 1. With the environment variable {@code ZP_FAKE_VTA_SAVE} set to a directory, the memory before and after
 * each run is kept there as {@code NNN.bin} and {@code NNN.after.bin}, {@code NNN} counting the runs from 000 (as
 * {@code zeropoint run --save-programs} keeps the Java backend's images).
 */
public final class FakeVtaDevice {
  private FakeVtaDevice() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long origin = Long.parseLong(args[1]);
    int offset = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    AccelTarget target = AccelTarget.named(args[4]).orElseThrow(() -> new IllegalArgumentException(args[4]));
    byte[] memory = Files.readAllBytes(file);
    String save = System.getenv("ZP_FAKE_VTA_SAVE");
    Path saved = null;
    if (save != null) {
      for (int n = 0; saved == null; n++) {
        Path p = Path.of(save, String.format("%03d.bin", n));
        if (!Files.exists(p)) {
          saved = p;
        }
      }
      Files.write(saved, memory);
    }
    try {
      new Simulator(target.description()).run(memory, origin, offset, count);
    } catch (SimulationException e) {
      System.err.println("fake VTA: the simulator stopped: " + e.getMessage());
      System.exit(1);
    }
    Files.write(file, memory);
    if (saved != null) {
      Files.write(Path.of(saved.toString().replace(".bin", ".after.bin")), memory);
    }
  }
}
