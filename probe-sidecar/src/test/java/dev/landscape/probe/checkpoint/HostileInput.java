package dev.landscape.probe.checkpoint;

import dev.landscape.probe.inspect.InspectReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The one invariant for untrusted checkpoint bytes: opening and reading every tensor either succeeds or throws
 * {@link CheckpointException}, promptly. Anything else (another exception, an Error such as OutOfMemoryError, a
 * hang) fails the test and leaves the input under {@code target/fuzz-failures/} to be added to the corpus.
 */
final class HostileInput {

    static final Duration LIMIT = Duration.ofSeconds(10);

    private HostileInput() {
    }

    /**
     * Writes {@code bytes} to a scratch file named {@code fileName} and inspects it.
     *
     * @return {@code "read"} or {@code "rejected"}, for the statistics that show the fuzzer reaches both
     */
    static String assertOnlyCheckpointException(byte[] bytes, String fileName) throws IOException {
        Path dir = Files.createTempDirectory("fuzz");
        Path file = dir.resolve(fileName);
        try {
            Files.write(file, bytes);
            return assertOnlyCheckpointException(file, bytes);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    static String assertOnlyCheckpointException(Path file, byte[] bytes) {
        Throwable thrown = assertTimeoutPreemptively(LIMIT, () -> {
            try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
                InspectReport.of(cp);
                return null;
            } catch (CheckpointException expected) {
                return expected;
            } catch (Throwable other) {
                return other;
            }
        }, () -> "inspecting " + keep(bytes) + " took longer than " + LIMIT);
        if (thrown == null) {
            return "read";
        }
        if (thrown instanceof CheckpointException) {
            return "rejected";
        }
        throw new AssertionError("expected CheckpointException or success, got " + thrown
                + "; input kept as " + keep(bytes), thrown);
    }

    /** Saves a failing input under target/fuzz-failures/ named by its hash; returns the path for the message. */
    private static String keep(byte[] bytes) {
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
            Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
            Path out = dir.resolve(hash + ".safetensors");
            Files.write(out, bytes);
            return out.toAbsolutePath().toString();
        } catch (IOException | NoSuchAlgorithmException e) {
            return "(not kept: " + e + ")";
        }
    }
}
