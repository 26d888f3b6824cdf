package dev.landscape.probe.curvature;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BackendSelectorTest {

    /** A machine with or without the CUDA jar and with a GPU of a given compute capability (or none). */
    private record TestingProbe(boolean cudaJar, int[] capability) implements BackendSelector.Probe {
        @Override
        public boolean classPresent(String className) {
            return cudaJar && className.equals(BackendSelector.CUDA_BACKEND_CLASS);
        }

        @Override
        public Optional<int[]> computeCapability() {
            return Optional.ofNullable(capability);
        }
    }

    private static BackendSelector.Decision decide(String mode, boolean jar, int... cc) {
        return BackendSelector.decide(BackendSelector.Mode.parse(mode), new TestingProbe(jar, cc.length == 0 ? null : cc));
    }

    @Test
    void noneAlwaysMeansCpu() {
        assertThat(decide("none", true, 8, 0).backend()).isEqualTo(BackendSelector.Backend.CPU);
    }

    @Test
    void autoUsesCudaOnSupportedGpus() {
        for (int[] cc : new int[][] {{3, 7}, {6, 1}, {7, 0}, {7, 5}, {8, 0}, {8, 6}, {8, 9}}) {
            BackendSelector.Decision d = decide("auto", true, cc);
            assertThat(d.backend()).as(cc[0] + "." + cc[1]).isEqualTo(BackendSelector.Backend.CUDA);
        }
    }

    @Test
    void hopperFallsBackToCpuWithAReason() {
        BackendSelector.Decision d = decide("auto", true, 9, 0);

        assertThat(d.backend()).isEqualTo(BackendSelector.Backend.CPU);
        assertThat(d.message()).contains("compute capability 9.0").contains("sm_37 to sm_86").doesNotContain("\n");
    }

    @Test
    void olderThanTheOldestCubinFallsBack() {
        assertThat(decide("auto", true, 3, 5).backend()).isEqualTo(BackendSelector.Backend.CPU);
        assertThat(decide("auto", true, 12, 0).backend()).isEqualTo(BackendSelector.Backend.CPU);
    }

    @Test
    void withoutTheCudaJarOrAGpuItIsCpu() {
        assertThat(decide("auto", false, 8, 0).message()).contains("not on the classpath");
        assertThat(decide("auto", true).message()).contains("no NVIDIA GPU");
    }

    @Test
    void nvidiaSmiOutputIsParsed() {
        assertThat(SystemProbe.parse("9.0\n9.0\n")).hasValueSatisfying(v -> assertThat(v).containsExactly(9, 0));
        assertThat(SystemProbe.parse("NVIDIA-SMI has failed")).isEmpty();
    }

    @Test
    void cpuOnlyLoaderAdvertisesOnlyTheCpuBackend() throws Exception {
        URL url = CpuOnlyClassLoader.serviceUrl();
        try (InputStream in = url.openStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo(CpuOnlyClassLoader.CPU_BACKEND);
        }
        assertThat(Class.forName(CpuOnlyClassLoader.CPU_BACKEND, false, getClass().getClassLoader())).isNotNull();
    }
}
