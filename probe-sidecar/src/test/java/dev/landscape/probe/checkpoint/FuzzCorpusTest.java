package dev.landscape.probe.checkpoint;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every input in {@code src/test/resources/fuzz-corpus/}: inputs that once broke the reader (or were written
 * to probe a specific hostile shape) and must keep failing cleanly. Named by what they exercise.
 */
class FuzzCorpusTest {

    @TestFactory
    Stream<DynamicTest> everyCorpusInputFailsOnlyWithCheckpointException() throws IOException, URISyntaxException {
        Path corpus = Path.of(FuzzCorpusTest.class.getResource("/fuzz-corpus").toURI());
        List<Path> inputs;
        try (Stream<Path> files = Files.list(corpus)) {
            inputs = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertThat(inputs).isNotEmpty();
        return inputs.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(),
                () -> assertThat(HostileInput.assertOnlyCheckpointException(Files.readAllBytes(p), "c.safetensors"))
                        .isEqualTo("rejected")));
    }
}
