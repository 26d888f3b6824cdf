package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.probe.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar, as users run it (failsafe, after {@code package}, so the jar is the one just built). */
class InspectJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shadedJarPrintsTheSameContract() throws Exception {
        Path jar = Path.of(System.getProperty("landscape.root", "..")).resolve("probe-sidecar/target/landscape-probe.jar");
        assertThat(jar).as("the shaded jar must have been built by the package phase").isRegularFile();
        String fixture = "safetensors-jl/test/non_sharded/model.safetensors";
        Path path = Fixtures.file(fixture);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-jar", jar.toString(), "inspect", path.toString(), "--json")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        InspectCommandTest.assertContract(fixture, path, JSON.readTree(new String(out, StandardCharsets.UTF_8)), Fixtures.expected().get(fixture));
    }
}
