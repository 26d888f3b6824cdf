package dev.landscape.probe.curvature;

import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the ND4J backend before ND4J is first touched ({@code spec.sidecar.gpu}, CLI {@code --gpu none|auto}).
 *
 * <p>The only CUDA build of ND4J on Maven Central, {@code nd4j-cuda-11.6:1.0.0-M2.1}, carries machine code for
 * sm_37, 50, 52, 60, 61, 70, 75, 80 and 86 and no PTX (docs/curvature.md, "Backend"). A cubin for sm_XY runs on devices sm_XZ with
 * Z >= Y of the same major version, so it runs on Kepler K80 (3.7), Maxwell, Pascal, Volta, Turing, Ampere and Ada
 * (8.9: L4, L40S), but not on Hopper (9.0: H100, H200) or Blackwell (10.x, 12.x), where kernels would fail to launch
 * ("no kernel image is available"). So CUDA is used only when (1) mode is {@code auto}, (2) the CUDA backend's
 * classes are on the classpath (the 600 MB jar is not in the default build), and (3) the device's compute
 * capability is covered; otherwise the CPU backend runs and one line says why.
 */
public final class BackendSelector {

    /** ND4J's CUDA backend class, present only when nd4j-cuda is on the classpath. */
    public static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    private static final int[][] CUBINS = {{3, 7}, {5, 0}, {5, 2}, {6, 0}, {6, 1}, {7, 0}, {7, 5}, {8, 0}, {8, 6}};

    public enum Mode {
        NONE, AUTO;

        public static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "none", "cpu", "false" -> NONE;
                case "auto", "shared", "dedicated", "true" -> AUTO;
                default -> throw new CurvatureException("unknown --gpu mode '" + s + "': use none or auto");
            };
        }
    }

    public enum Backend { CPU, CUDA }

    /** What the machine offers; {@link SystemProbe} asks the real one, tests pass fakes. */
    public interface Probe {
        boolean classPresent(String className);

        /** The first GPU's compute capability as {major, minor}, empty when there is no usable GPU. */
        Optional<int[]> computeCapability();
    }

    /** @param message one line for the log, saying which backend and why */
    public record Decision(Backend backend, String message) {
    }

    private BackendSelector() {
    }

    public static Decision decide(Mode mode, Probe probe) {
        if (mode == Mode.NONE) {
            return new Decision(Backend.CPU, "ND4J backend: CPU (--gpu none)");
        }
        if (!probe.classPresent(CUDA_BACKEND_CLASS)) {
            return new Decision(Backend.CPU, "ND4J backend: CPU (--gpu auto, but nd4j-cuda-11.6 is not on the classpath)");
        }
        Optional<int[]> cc = probe.computeCapability();
        if (cc.isEmpty()) {
            return new Decision(Backend.CPU, "ND4J backend: CPU (--gpu auto, but no NVIDIA GPU was found)");
        }
        int major = cc.get()[0];
        int minor = cc.get()[1];
        if (!supported(major, minor)) {
            return new Decision(Backend.CPU, "ND4J backend: CPU (GPU compute capability " + major + "." + minor
                    + " is not supported by nd4j-cuda-11.6, which has code for sm_37 to sm_86 only and no PTX; "
                    + "Hopper and newer GPUs need a CUDA 12 build)");
        }
        return new Decision(Backend.CUDA, "ND4J backend: CUDA (GPU compute capability " + major + "." + minor + ")");
    }

    static boolean supported(int major, int minor) {
        for (int[] c : CUBINS) {
            if (c[0] == major && c[1] <= minor) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decides and applies: for CPU while the CUDA backend is on the classpath, ND4J's backend discovery is pointed
     * at the CPU backend alone ({@link CpuOnlyClassLoader}), since ND4J would otherwise prefer CUDA. Must run before
     * the first use of {@code Nd4j}.
     */
    public static Decision apply(Mode mode, Probe probe) {
        Decision d = decide(mode, probe);
        if (d.backend() == Backend.CPU && probe.classPresent(CUDA_BACKEND_CLASS)) {
            CpuOnlyClassLoader.install();
        }
        return d;
    }
}
