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
 * the -Xmx of {@link Tier2Memory#of}) and the environment it writes for a 1-CPU limit ({@link Tier2Memory#environment})
 * runs tier 2 as the watch loop does (top 3, Hutchinson trace) on a GPT-style model and must finish with its peak
 * resident set ({@code VmHWM} in /proc/self/status) within the memory limit the webhook writes. A real pod's limit is
 * enforced by the kernel on the container's cgroup, which also counts page cache; VmHWM is the process's own part of
 * it, which is what the formula sizes. Linux only.
 */
class Tier2PodFitTest {

    /** The top-k the webhook sizes a probe without {@code spec.metrics.topK} for (the CRD's default). */
    private static final int WEBHOOK_TOP_K = 3;

    @Test
    void tier2RunsWithinTheHeapAndMemoryLimitTheWebhookWrites(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs /proc/self/status (Linux)");
        long parameters = writeModel(dir);
        Tier2Memory pod = Tier2Memory.of(parameters, parameters, WEBHOOK_TOP_K, Tier2Memory.FLOAT_BYTES);

        Map<String, String> result = runChild(dir, parameters, pod);

        assertThat(result.get("topK")).as("the sidecar's default top-k, which the pod was sized for")
                .isEqualTo(String.valueOf(WEBHOOK_TOP_K));

        // the JVM rounds -Xmx to its heap alignment and reports it less a survivor space
        assertThat(Long.parseLong(result.get("maxHeapMiB"))).isBetween(pod.heapMiB() * 9 / 10, pod.heapMiB() + 2);
        assertThat(result.get("eigenvalues")).as("tier 2 finished").startsWith("[");
        long hwmMiB = Long.parseLong(result.get("VmHWMKiB")) >> 10;
        System.out.printf("tier 2 on %d parameters: -Xmx%dm, peak resident %d MiB, limit %d MiB%n", parameters,
                pod.heapMiB(), hwmMiB, pod.limitMiB());
        assertThat(hwmMiB).as("peak resident set (MiB) against the limit %d MiB", pod.limitMiB())
                .isLessThanOrEqualTo(pod.limitMiB());
    }

    /**
     * A GPT-style model as torch.onnx.export writes it ({@link GptModel}: embeddings, causal attention, tied LM head;
     * 1 block of width 32, vocabulary 64), a batch of 2 x 8 tokens with next-token targets, and an F32 checkpoint
     * with Hugging Face names; returns the parameter count.
     */
    private static long writeModel(Path dir) throws IOException {
        GptModel.Config c = new GptModel.Config(64, 16, 32, 64, 1, 2, 2, 8);
        Files.write(dir.resolve("model.onnx"), GptModel.graph(c, false).toByteArray());
        SafetensorsWriter cp = new SafetensorsWriter();
        c.parameters().forEach((name, shape) -> {
            HostTensor w = GptModel.weight(c, name, shape, 0.02, 3);
            cp.add(name, DType.F32, w.shape(), w.values());
        });
        cp.write(dir.resolve("checkpoint.safetensors"));
        java.util.Random rng = new java.util.Random(5);
        double[] ids = new double[c.batch() * c.seq()];
        double[] target = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(c.vocab());
        }
        for (int i = 0; i < ids.length; i++) {
            target[i] = (i + 1) % c.seq() == 0 ? -100 : ids[i + 1];
        }
        new SafetensorsWriter().add("input_ids", DType.I64, new long[] {c.batch(), c.seq()}, ids)
                .add("target", DType.I64, new long[] {c.batch(), c.seq()}, target).write(dir.resolve("batch.safetensors"));
        return c.parameterCount();
    }

    private static Map<String, String> runChild(Path dir, long parameters, Tier2Memory pod) throws Exception {
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir", dir.resolve("javacpp").toString());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Tier2PodProbe.class.getName(), dir.toString(),
                Long.toString(parameters));
        pb.environment().put("JAVA_TOOL_OPTIONS", Tier2Memory.javaToolOptions(pod.heapMiB(), true, cache));
        pb.environment().putAll(Tier2Memory.environment(1));
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
