package dev.landscape.probe.curvature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real machine for {@link BackendSelector}: classes by name (without initialising them) and the GPU's compute
 * capability from {@code nvidia-smi --query-gpu=compute_cap} (driver 510 and later); no nvidia-smi, no GPU.
 */
public final class SystemProbe implements BackendSelector.Probe {

    @Override
    public boolean classPresent(String className) {
        try {
            Class.forName(className, false, SystemProbe.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public Optional<int[]> computeCapability() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.exitValue() == 0 ? parse(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Parses the first line of nvidia-smi's answer, e.g. {@code 9.0}. */
    static Optional<int[]> parse(String text) {
        String first = text.lines().findFirst().orElse("").trim();
        String[] parts = first.split("\\.");
        try {
            return parts.length == 2 ? Optional.of(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])})
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
