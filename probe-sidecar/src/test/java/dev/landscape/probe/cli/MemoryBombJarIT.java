package dev.landscape.probe.cli;

import dev.landscape.probe.testing.MemoryBombs;
import dev.landscape.probe.testing.MemoryBombs.Bomb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17's "done when", as users run it: {@code java -Xmx128m -jar landscape-probe.jar inspect BOMB} refuses each
 * memory bomb with exit 2 and one line naming the limit, never an OutOfMemoryError. The 30 s bound guards against a
 * hang; it is not a speed target (each run takes about a second).
 */
class MemoryBombJarIT {

    @TempDir
    Path dir;

    @Test
    void everyBombIsRefusedWithExitTwoAtTheSidecarsHeap() throws Exception {
        Path jar = Path.of(System.getProperty("landscape.root", "..")).resolve("probe-sidecar/target/landscape-probe.jar");
        assertThat(jar).as("the shaded jar must have been built by the package phase").isRegularFile();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        for (Bomb bomb : MemoryBombs.ALL.keySet()) {
            Path file = MemoryBombs.write(bomb, dir);
            Process p = new ProcessBuilder(java.toString(), "-Xmx128m", "-jar", jar.toString(), "inspect", file.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

            boolean ended = p.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            assertThat(ended).as(bomb.name() + " must be refused within 30 s").isTrue();
            assertThat(p.exitValue()).as(bomb.name() + ": " + err).isEqualTo(2);
            assertThat(err.lines()).as(bomb.name()).hasSize(1);
            assertThat(err).as(bomb.name()).doesNotContain("OutOfMemoryError")
                    .containsAnyOf("limit of a 128 MiB heap", "run past the archive's data");
            Files.delete(file);
        }
    }
}
