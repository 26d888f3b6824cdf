package dev.landscape.probe.curvature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The memory limit of the container this process runs in, from its cgroup: {@code memory.max} (cgroup v2) or
 * {@code memory/memory.limit_in_bytes} (v1) under the cgroup mount. A kubelet writes the pod's
 * {@code resources.limits.memory} there; the kernel kills the process past it. No file, {@code max}, or v1's
 * "unlimited" (a page-rounded {@code Long.MAX_VALUE}): no limit.
 */
public final class ContainerMemoryLimit {

    /** Where a container sees its own cgroup. */
    public static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /** v1 writes "unlimited" as Long.MAX_VALUE rounded down to a page; anything this large is no limit. */
    private static final long UNLIMITED = 1L << 62;

    private ContainerMemoryLimit() {
    }

    /** The limit in bytes under {@code cgroupRoot}, or empty when there is none or it cannot be read. */
    public static OptionalLong read(Path cgroupRoot) {
        for (Path file : new Path[] {cgroupRoot.resolve("memory.max"), cgroupRoot.resolve("memory/memory.limit_in_bytes")}) {
            if (Files.isReadable(file)) {
                try {
                    return parse(Files.readString(file).trim());
                } catch (IOException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    static OptionalLong parse(String text) {
        if (text.equals("max")) {
            return OptionalLong.empty();
        }
        try {
            long bytes = Long.parseLong(text);
            return bytes > 0 && bytes < UNLIMITED ? OptionalLong.of(bytes) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
