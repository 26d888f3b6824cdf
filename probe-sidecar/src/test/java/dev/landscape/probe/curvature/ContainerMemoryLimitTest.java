package dev.landscape.probe.curvature;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The container's memory limit as a kubelet writes it into cgroup v2 and v1; no file or no limit: none. */
class ContainerMemoryLimitTest {

    @TempDir
    Path root;

    @Test
    void cgroupV2LimitIsRead() throws IOException {
        Files.writeString(root.resolve("memory.max"), "3938451456\n");

        assertThat(ContainerMemoryLimit.read(root)).hasValue(3_938_451_456L);
    }

    @Test
    void cgroupV2WithoutALimitSaysMax() throws IOException {
        Files.writeString(root.resolve("memory.max"), "max\n");

        assertThat(ContainerMemoryLimit.read(root)).isEmpty();
    }

    @Test
    void cgroupV1LimitIsReadAndItsUnlimitedValueIsNone() throws IOException {
        Path memory = Files.createDirectories(root.resolve("memory"));
        Files.writeString(memory.resolve("memory.limit_in_bytes"), "1073741824\n");
        assertThat(ContainerMemoryLimit.read(root)).hasValue(1L << 30);

        Files.writeString(memory.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(ContainerMemoryLimit.read(root)).isEmpty();
    }

    @Test
    void noCgroupFilesMeansNothingToCheck() {
        assertThat(ContainerMemoryLimit.read(root)).isEqualTo(OptionalLong.empty());
    }
}
