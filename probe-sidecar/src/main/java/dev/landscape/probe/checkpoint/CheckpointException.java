package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be read as it claims to be: malformed, truncated, hostile or unsupported. The message
 * names the file, the place in it (byte offset, zip entry, tensor) and, where there is one, what to do.
 */
public class CheckpointException extends IOException {

    private final Path path;
    private final long offset;

    public CheckpointException(Path path, long offset, String message) {
        super(describe(path, offset, message));
        this.path = path;
        this.offset = offset;
    }

    public CheckpointException(Path path, long offset, String message, Throwable cause) {
        super(describe(path, offset, message), cause);
        this.path = path;
        this.offset = offset;
    }

    public CheckpointException(Path path, String message) {
        this(path, -1, message);
    }

    /** The file at fault. */
    public Path path() {
        return path;
    }

    /** Byte offset of the fault inside {@link #path()} (or inside the named entry), {@code -1} when not known. */
    public long offset() {
        return offset;
    }

    private static String describe(Path path, long offset, String message) {
        return path + (offset >= 0 ? " at offset " + offset : "") + ": " + message;
    }
}
