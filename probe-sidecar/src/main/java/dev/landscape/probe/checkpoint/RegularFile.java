package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way the readers open a file: only a regular file, after following symlinks. Opening a named pipe for
 * reading blocks until a writer appears, so a FIFO named like a checkpoint ({@code model.safetensors}) would hang
 * {@code inspect} and stop {@code watch} for good; a device ({@code /dev/zero}) never ends. Such files are refused
 * before they are opened. (A file swapped for a pipe between the check and the open can still block; that takes
 * a writer racing the reader on purpose.)
 */
final class RegularFile {

    private RegularFile() {
    }

    /** Refuses {@code file} unless it is, or links to, a regular file. */
    static void check(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such checkpoint file or folder");
        }
        if (!a.isRegularFile()) {
            throw new CheckpointException(file, "is " + kind(a) + ", not a regular file: only regular files are"
                    + " read (a named pipe would block the reader)");
        }
    }

    /** Checks, then opens for reading. */
    static FileChannel open(Path file) throws IOException {
        check(file);
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** A small side file (an index, trainer_state.json) read whole, refused when larger than the budget allows. */
    static byte[] readSmall(Path file, MemoryBudget budget, String what) throws IOException {
        try (FileChannel ch = open(file)) {
            long size = ch.size();
            if (size > budget.maxMetadataBytes()) {
                throw new CheckpointException(file, 0, what + " of " + size + " bytes is larger than "
                        + budget.describe(budget.maxMetadataBytes(), "bytes"));
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read until full or end of file
            }
            return b.array().length == b.position() ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
        }
    }

    static String kind(BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a folder";
        }
        if (a.isOther()) {
            return "a named pipe, socket or device";
        }
        return "something other than a file";
    }
}
