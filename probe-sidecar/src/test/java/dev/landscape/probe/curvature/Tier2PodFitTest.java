package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Memory;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A tier-2 sidecar fits the pod the webhook sizes for it: a child JVM started with exactly the
 * {@code JAVA_TOOL_OPTIONS} the webhook writes for the model's parameter count ({@link Tier2Memory#javaToolOptions},
 * the -Xmx of {@link Tier2Memory#of}) and one OpenMP thread (the webhook's {@code OMP_NUM_THREADS} for a 1-CPU limit)
 * runs tier 2 as the watch loop does (top 3, Hutchinson trace) and must finish with its peak resident set
 * ({@code VmHWM} in /proc/self/status) within the memory limit the webhook writes. A real pod's limit is enforced by
 * the kernel on the container's cgroup, which also counts page cache; VmHWM is the process's own part of it, which is
 * what the formula sizes. Linux only.
 */
class Tier2PodFitTest {

    @Test
    void tier2RunsWithinTheHeapAndMemoryLimitTheWebhookWrites(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs /proc/self/status (Linux)");
        long parameters = writeModel(dir);
        Tier2Memory pod = Tier2Memory.of(parameters, parameters, 3, Tier2Memory.FLOAT_BYTES);

        Map<String, String> result = runChild(dir, parameters, pod);

        // the JVM rounds -Xmx to its heap alignment and reports it less a survivor space
        assertThat(Long.parseLong(result.get("maxHeapMiB"))).isBetween(pod.heapMiB() * 9 / 10, pod.heapMiB() + 2);
        assertThat(result.get("eigenvalues")).as("tier 2 finished").startsWith("[");
        long hwmMiB = Long.parseLong(result.get("VmHWMKiB")) >> 10;
        System.out.printf("tier 2 on %d parameters: -Xmx%dm, peak resident %d MiB, limit %d MiB%n", parameters,
                pod.heapMiB(), hwmMiB, pod.limitMiB());
        assertThat(hwmMiB).as("peak resident set (MiB) against the limit %d MiB", pod.limitMiB())
                .isLessThanOrEqualTo(pod.limitMiB());
    }

    /** An MLP shaped like a PyTorch export, its batch and an F32 checkpoint; returns the parameter count. */
    private static long writeModel(Path dir) throws IOException {
        int n = 64;
        int in = 32;
        int hid = 256;
        int out = 10;
        Files.write(dir.resolve("model.onnx"), TestModels.pytorchStyleMlp(n, in, hid, out).toByteArray());
        java.util.Random rng = new java.util.Random(5);
        double[] x = ClosedFormCurvatureTest.gaussian(rng, n * in);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(out);
        }
        new TestBatchFiles().add("x", HostTensor.of(new long[] {n, in}, x))
                .add("target", HostTensor.ofIntegers(new long[] {n}, y)).write(dir.resolve("batch.safetensors"));
        SafetensorsWriter cp = new SafetensorsWriter();
        long[][] shapes = {{hid, in}, {hid}, {out, hid}, {out}};
        String[] names = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
        long total = 0;
        for (int i = 0; i < names.length; i++) {
            int len = (int) HostTensor.numel(shapes[i]);
            double[] v = ClosedFormCurvatureTest.gaussian(rng, len);
            for (int j = 0; j < len; j++) {
                v[j] *= 0.1;
            }
            cp.add(names[i], DType.F32, shapes[i], v);
            total += len;
        }
        cp.write(dir.resolve("checkpoint.safetensors"));
        return total;
    }

    private static Map<String, String> runChild(Path dir, long parameters, Tier2Memory pod) throws Exception {
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir", dir.resolve("javacpp").toString());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Tier2PodProbe.class.getName(), dir.toString(),
                Long.toString(parameters));
        pb.environment().put("JAVA_TOOL_OPTIONS", Tier2Memory.javaToolOptions(pod.heapMiB(),
                Tier2Memory.youngMiB(pod.heapMiB()), cache));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        values.putIfAbsent("eigenvalues", text.lines().filter(l -> l.startsWith("eigenvalues=")).findFirst()
                .map(l -> l.substring("eigenvalues=".length())).orElse(""));
        return values;
    }
}
