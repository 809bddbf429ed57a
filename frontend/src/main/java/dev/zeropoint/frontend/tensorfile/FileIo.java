package dev.zeropoint.frontend.tensorfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File access shared by the readers, translating every I/O failure into a {@link TensorFileException}. */
final class FileIo {
  private FileIo() {}

  static FileChannel openForReading(Path file) throws TensorFileException {
    // Linux lets a directory be opened for reading and only fails on the first read, with a
    // message that does not say what is wrong; check first so the user is told.
    if (Files.isDirectory(file)) {
      throw new TensorFileException(file, "is a directory, not a file");
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new TensorFileException(file, "file not found", e);
    } catch (IOException e) {
      throw new TensorFileException(file, "cannot open: " + Messages.describe(e), e);
    }
  }

  static long size(Path file, FileChannel channel) throws TensorFileException {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new TensorFileException(file, "cannot read: " + Messages.describe(e), e);
    }
  }

  /** Fills {@code target} from {@code position}; the caller has checked that the file is long enough. */
  static void readFully(Path file, FileChannel channel, ByteBuffer target, long position)
      throws TensorFileException {
    try {
      long at = position;
      while (target.hasRemaining()) {
        int n = channel.read(target, at);
        if (n < 0) {
          // Only possible if the file shrank after its size was checked.
          throw new TensorFileException(file, "file ended unexpectedly at byte " + at + " (was it modified while being read?)");
        }
        at += n;
      }
    } catch (IOException e) {
      throw new TensorFileException(file, "cannot read: " + Messages.describe(e), e);
    }
    target.flip();
  }

  /** Maps {@code size} bytes (at most {@code Integer.MAX_VALUE}) read-only; the mapping outlives the channel. */
  static ByteBuffer map(Path file, FileChannel channel, long position, long size) throws TensorFileException {
    try {
      return channel.map(FileChannel.MapMode.READ_ONLY, position, size);
    } catch (IOException e) {
      throw new TensorFileException(file, "cannot map bytes [" + position + ", " + (position + size) + "): " + Messages.describe(e), e);
    }
  }

  static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Read-only channel: closing cannot lose data, and the original error matters more.
    }
  }
}
