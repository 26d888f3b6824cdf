package dev.landscape.probe.checkpoint;

import dev.landscape.probe.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Replays every fuzz corpus line: each mutant must now open or fail with a CheckpointException. */
class TorchFuzzCorpusTest {

    @Test
    void everyCorpusInputFailsCleanlyOrOpens() throws IOException {
        List<String> lines = Files.readAllLines(TorchMutants.corpusDir().resolve("seeds.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            byte[] mutant = TorchMutants.mutate(Files.readAllBytes(Fixtures.file(parts[0])),
                    new Random(Long.parseUnsignedLong(parts[1], 16)));
            Path file = Files.createTempFile("corpus", ".pt");
            try {
                Files.write(file, mutant);
                Throwable t = TorchMutants.outcome(file);
                assertThat(t == null || t instanceof CheckpointException).as(line + " threw " + t).isTrue();
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
