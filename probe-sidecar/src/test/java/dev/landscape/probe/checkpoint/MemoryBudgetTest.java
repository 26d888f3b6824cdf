package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.GlobalAllowlist;
import dev.landscape.probe.inspect.InspectReport;
import dev.landscape.probe.testing.MemoryBombs;
import dev.landscape.probe.testing.MemoryBombs.Bomb;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The memory bombs of issue 17 against the budgets of two heaps, in process: the sidecar's 128 MiB, where the
 * first limit a bomb meets refuses it, and 1 GiB, where the bombs get past those and meet the second line (tensor
 * count, dimensions, total name length). {@code MemoryBombJarIT} runs the packaged jar at {@code -Xmx128m}.
 */
class MemoryBudgetTest {

    private static final MemoryBudget SIDECAR = MemoryBudget.forHeap(128L << 20);
    private static final MemoryBudget GIB = MemoryBudget.forHeap(1L << 30);

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeBombs() throws IOException {
        for (Bomb b : MemoryBombs.ALL.keySet()) {
            MemoryBombs.write(b, dir);
        }
    }

    @Test
    void limitsAreFractionsOfTheHeapThatTogetherStayBelowHalfOfIt() {
        MemoryBudget b = SIDECAR;

        assertThat(b.maxMetadataBytes()).isEqualTo(16L << 20);
        assertThat(b.maxInflatedPickle()).isEqualTo(16L << 20);
        assertThat(b.maxTensors()).isEqualTo(4096);
        assertThat(b.maxNameChars()).isEqualTo(65_536);
        assertThat(b.maxRank()).isEqualTo(64);
        long alive = b.maxInflatedPickle() + 2 * b.maxPickleStrings()
                + b.maxPickleObjects() * MemoryBudget.BYTES_PER_PICKLE_OBJECT
                + (long) b.maxTensors() * MemoryBudget.BYTES_PER_TENSOR + 2 * b.maxTotalNameChars();
        assertThat(alive).isLessThanOrEqualTo(b.heapBytes() / 2);
        assertThat(MemoryBudget.forHeap(64L << 30).maxMetadataBytes()).as("the format's own limit wins").isEqualTo(100L << 20);
    }

    @Test
    void theSidecarsBudgetRefusesEveryBombWithTheLimitNamed() {
        Map<Bomb, String> refusal = Map.of(
                MemoryBombs.LONG_KEY, "the pickle creates more values and container slots than the 262144 objects limit of a 128 MiB heap",
                MemoryBombs.INFLATE, "inflates to 209715200 bytes, over the 16 MiB limit of a 128 MiB heap",
                MemoryBombs.DIMENSIONS, "is larger than the 16 MiB limit of a 128 MiB heap",
                MemoryBombs.TINY_TENSORS, "is larger than the 16 MiB limit of a 128 MiB heap",
                MemoryBombs.TENSOR_LIST, "the pickle creates more values and container slots than the 262144 objects limit",
                MemoryBombs.ZIP64_WRAP, "its 9223372036854775792 bytes of data run past the archive's data");

        for (Bomb b : MemoryBombs.ALL.keySet()) {
            assertThatThrownBy(() -> inspect(b, SIDECAR)).as(b.name()).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(refusal.get(b));
        }
    }

    @Test
    void aLargerHeapMeetsTheSecondLineOfLimits() {
        assertThatThrownBy(() -> inspect(MemoryBombs.LONG_KEY, GIB)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor names exceed the 16777216 characters limit of a 1024 MiB heap");
        assertThatThrownBy(() -> inspect(MemoryBombs.DIMENSIONS, GIB)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor t: array of more than 64 items where a shape of at most 64 dimensions belongs");
        assertThatThrownBy(() -> inspect(MemoryBombs.TINY_TENSORS, GIB)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("more than 32768 tensors");
        assertThatThrownBy(() -> inspect(MemoryBombs.TENSOR_LIST, GIB)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("more than 32768 tensors");
    }

    private static void inspect(Bomb b, MemoryBudget budget) throws IOException {
        CheckpointFormats formats = CheckpointFormats.standard(new ReadPolicy(budget, GlobalAllowlist.STANDARD));
        try (Checkpoint cp = formats.open(dir.resolve(b.fileName()))) {
            InspectReport.of(cp);
        }
    }
}
