package dev.zeropoint.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Output files written all or nothing. */
final class OutputFiles {
  private OutputFiles() {}

  private static void readableByAll(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its defaults apply
    }
  }

  /**
   * Writes every file to a temporary file in the directory, then moves them into place; on any
   * failure the temporary files and the files already moved are removed, so no partial output stays.
   */
  static void write(Path outputDir, Map<Path, byte[]> files) {
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new UserError("zeropoint: " + outputDir + ": cannot create the output directory (" + e + ")");
    }
    List<Path> temporary = new ArrayList<>();
    List<Path> moved = new ArrayList<>();
    try {
      Map<Path, Path> staged = new LinkedHashMap<>();
      for (Map.Entry<Path, byte[]> f : files.entrySet()) {
        Path tmp = Files.createTempFile(outputDir, ".zeropoint-", ".tmp");
        temporary.add(tmp);
        Files.write(tmp, f.getValue());
        readableByAll(tmp); // a temporary file is private; the outputs are ordinary files
        staged.put(tmp, f.getKey());
      }
      for (Map.Entry<Path, Path> s : staged.entrySet()) {
        move(s.getKey(), s.getValue());
        moved.add(s.getValue());
      }
    } catch (IOException e) {
      for (Path p : temporary) {
        deleteQuietly(p);
      }
      for (Path p : moved) {
        deleteQuietly(p);
      }
      throw new UserError("zeropoint: " + outputDir + ": cannot write the output (" + e + ")");
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Best effort: the error being reported is the one that matters.
    }
  }
}
