package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.Unpickler;
import dev.landscape.probe.testing.Fixtures;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The unpickler alone, with torch's reducer, on arbitrary bytes and on mutations of a real {@code data.pkl}: it
 * returns a value or throws a {@link CheckpointException}, nothing else, and never hangs.
 */
class UnpicklerFuzzProperties {

    private static final String CHECKPOINT = "burn/crates/burn-store/src/pytorch/tests/reader/test_data/checkpoint.pt";

    @Property(tries = 300)
    void arbitraryBytesAfterAProtocolHeader(@ForAll @Size(max = 300) byte[] body) {
        byte[] pickle = new byte[body.length + 2];
        pickle[0] = (byte) 0x80;
        pickle[1] = 2;
        System.arraycopy(body, 0, pickle, 2, body.length);
        unpickleExpectingOnlyCheckpointException(pickle);
    }

    @Property(tries = 500)
    void mutationsOfARealDataPkl(@ForAll long seed) throws IOException {
        if (!Fixtures.available()) {
            return; // fixtures absent: nothing to mutate (the JUnit tests report the skip)
        }
        byte[] original;
        try (ZipFile z = new ZipFile(Fixtures.file(CHECKPOINT).toFile())) {
            original = z.getInputStream(z.getEntry("checkpoint/data.pkl")).readAllBytes();
        }
        unpickleExpectingOnlyCheckpointException(TorchReaderFuzzProperties.mutate(original, new Random(seed)));
    }

    private static void unpickleExpectingOnlyCheckpointException(byte[] pickle) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                new Unpickler(ByteBuffer.wrap(pickle), Path.of("fuzz.pkl"), "fuzz", 0,
                        new TorchReducer(MemoryBudget.ofThisHeap()), MemoryBudget.ofThisHeap(),
                        dev.landscape.probe.checkpoint.pickle.GlobalAllowlist.STANDARD).load();
            } catch (CheckpointException expected) {
                // the only acceptable failure
            }
        });
    }
}
