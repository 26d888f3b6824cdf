package dev.landscape.probe.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory as the kernel and the JVM count it: the peak resident set ({@code VmHWM}, what a container's
 * memory limit is compared with, less page cache) and the heap's peak use. {@code curvature} prints both next to
 * what the tier-2 formula would give a pod, so that one local run tells whether the formula fits the model and batch.
 *
 * @param residentPeakBytes -1 where /proc/self/status does not exist (not Linux)
 */
public record ProcessMemory(long residentPeakBytes, long heapPeakBytes) {

    public static ProcessMemory now() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        return new ProcessMemory(status("VmHWM:"), heap);
    }

    /** A size line of /proc/self/status ({@code VmHWM:}, {@code VmRSS:}) in bytes, or -1. */
    public static long status(String key) {
        Path status = Path.of("/proc/self/status");
        try {
            if (!Files.exists(status)) {
                return -1;
            }
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
