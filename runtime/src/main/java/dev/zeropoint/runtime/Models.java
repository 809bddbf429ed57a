package dev.zeropoint.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.jar.JarFile;

/** Loads the model of a jar written by {@code zeropoint compile --target jvm}. */
public final class Models {
  /** The manifest attribute naming the model class. */
  public static final String MANIFEST_ATTRIBUTE = "Zeropoint-Model";

  private Models() {}

  public static CompiledModel load(Path jar) {
    String className;
    try (JarFile f = new JarFile(jar.toFile())) {
      className = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue(MANIFEST_ATTRIBUTE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
    if (className == null) {
      throw new IllegalArgumentException(jar + ": not a Zeropoint model jar (no " + MANIFEST_ATTRIBUTE + " in its manifest)");
    }
    try {
      URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, Models.class.getClassLoader());
      return (CompiledModel) loader.loadClass(className).getConstructor().newInstance();
    } catch (ReflectiveOperationException | IOException e) {
      throw new IllegalStateException(jar + ": cannot load " + className + ": " + e, e);
    }
  }
}
