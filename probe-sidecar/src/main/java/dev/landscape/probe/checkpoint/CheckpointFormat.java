package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** One checkpoint layout. Implementations are registered in {@link CheckpointFormats}, the one place that picks. */
public interface CheckpointFormat {

    /** The {@code format} value of the {@code inspect --json} contract. */
    String name();

    /** Cheap recognition from names and magic bytes only; never parses the whole file. */
    boolean recognises(Path path) throws IOException;

    Checkpoint open(Path path) throws IOException;
}
