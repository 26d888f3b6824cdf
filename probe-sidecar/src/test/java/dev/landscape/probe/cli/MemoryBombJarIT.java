package dev.landscape.probe.cli;

import dev.landscape.probe.testing.MemoryBombs;
import dev.landscape.probe.testing.MemoryBombs.Bomb;
import dev.landscape.probe.testing.MemoryBombs.JarRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17's "done when", as users run it: {@code java -Xmx128m -jar landscape-probe.jar inspect BOMB} refuses each
 * memory bomb with exit 2 and one line naming the limit, never an OutOfMemoryError. The 60 s bound only guards
 * against a hang; how long each refusal takes is measured by {@code bench/memory-bombs.sh}, not here.
 */
class MemoryBombJarIT {

    @TempDir
    Path dir;

    @Test
    void everyBombIsRefusedWithExitTwoAtTheSidecarsHeap() throws Exception {
        Path jar = Path.of(System.getProperty("landscape.root", "..")).resolve("probe-sidecar/target/landscape-probe.jar");
        assertThat(jar).as("the shaded jar must have been built by the package phase").isRegularFile();
        for (Bomb bomb : MemoryBombs.ALL.keySet()) {
            Path file = MemoryBombs.write(bomb, dir);

            JarRun run = MemoryBombs.inspect(jar, file, Duration.ofSeconds(60));

            assertThat(run.ended()).as(bomb.name() + " must not hang").isTrue();
            assertThat(run.exit()).as(bomb.name() + ": " + run.err()).isEqualTo(2);
            assertThat(run.err().lines()).as(bomb.name()).hasSize(1);
            assertThat(run.err()).as(bomb.name()).doesNotContain("OutOfMemoryError")
                    .containsAnyOf("limit of a 128 MiB heap", "run past the archive's data");
            Files.delete(file);
        }
    }
}
