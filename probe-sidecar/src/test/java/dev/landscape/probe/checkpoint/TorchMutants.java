package dev.landscape.probe.checkpoint;


import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The mutations the jqwik fuzzing of the torch readers applied to real checkpoints (bit flips, truncation, inserted
 * and overwritten bytes, from a seed), kept because {@code src/test/resources/fuzz-corpus/seeds.txt} names its
 * regression inputs by fixture and seed ({@link TorchFuzzCorpusTest} replays them). The fuzzing itself is now
 * Jazzer's, coverage-guided ({@link CheckpointFuzzTest}, bench/fuzz.sh).
 */
final class TorchMutants {

    /** Elements streamed per tensor at most, to keep each try fast whatever shape a mutation produced. */
    private static final int MAX_ELEMENTS = 1 << 20;

    private TorchMutants() {
    }

    /** Opens and streams {@code file}; returns what it threw, or {@code null}. */
    static Throwable outcome(Path file) {
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> readEverything(file));
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    static void readEverything(Path file) throws IOException {
        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            double[] buf = new double[4096];
            for (Tensor t : cp.tensors()) {
                try (ElementStream s = t.open()) {
                    long read = 0;
                    int n;
                    while (read < MAX_ELEMENTS && (n = s.read(buf, 0, buf.length)) > 0) {
                        read += n;
                    }
                    assertThat(read).isLessThanOrEqualTo(Math.max(t.info().numel(), MAX_ELEMENTS + buf.length));
                }
            }
        }
    }

    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits && b.length > 0; i++) {
            // Half the edits land in the first 600 bytes, where the pickles (and zip headers) are.
            int pos = r.nextBoolean() ? r.nextInt(Math.min(b.length, 600)) : r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> b[pos] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, pos);
                case 2 -> {
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    byte[] out = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, out, 0, pos);
                    System.arraycopy(ins, 0, out, pos, ins.length);
                    System.arraycopy(b, pos, out, pos + ins.length, b.length - pos);
                    b = out;
                }
                case 3 -> {
                    byte[] interesting = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1};
                    for (int k = 0; k < 4 && pos + k < b.length; k++) {
                        b[pos + k] = interesting[r.nextInt(interesting.length)];
                    }
                }
                default -> b[pos] = (byte) r.nextInt(256);
            }
        }
        return b;
    }

    static Path corpusDir() {
        String root = System.getProperty("landscape.root");
        Path module = root == null || root.isBlank() ? Path.of("") : Path.of(root).resolve("probe-sidecar");
        return module.resolve("src/test/resources/fuzz-corpus").toAbsolutePath();
    }
}
