package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Metrics;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.runtime.SidecarConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The child process of {@link Tier2PodFitTest}: tier 2 as the watch loop runs it (the probe's config, the sidecar's
 * defaults: top 3, trace) on {@code DIR/model.onnx}, {@code DIR/batch.safetensors} and {@code DIR/checkpoint.safetensors}
 * under whatever JVM options it was started with, then its heap limit and peak resident set on stdout.
 * Arguments: {@code DIR MODEL_PARAMETERS [GLOBS]}.
 */
public final class Tier2PodProbe {

    private Tier2PodProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path cfg = Files.writeString(dir.resolve("config.json"), "{}");
        Map<String, String> flags = new HashMap<>(Map.of("probe", "p", "namespace", "ns", "pod", "pod-0", "rank", "0",
                "dir", dir.toString(), "report-url", "http://127.0.0.1:1/r", "model", dir.resolve("model.onnx").toString(),
                "batch", dir.resolve("batch.safetensors").toString()));
        flags.put("model-parameters", args[1]);
        if (args.length > 2) {
            flags.put("parameters", "[\"" + String.join("\",\"", args[2].split(",")) + "\"]");
        }
        SidecarConfig config = SidecarConfig.load(flags, Map.of("LANDSCAPE_CONFIG_FILE", cfg.toString()));
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        Tier2Metrics t2 = new CurvatureTier2Runner(config, CheckpointFormats.standard())
                .run(dir.resolve("checkpoint.safetensors"), null);
        out.println("eigenvalues=" + t2.eigenvalues());
        out.println("hvps=" + t2.hvpCount());
        out.println("topK=" + config.topK());
        out.println("maxHeapMiB=" + (Runtime.getRuntime().maxMemory() >> 20));
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                out.println("VmHWMKiB=" + line.replaceAll("[^0-9]", ""));
            }
        }
        out.flush();
    }
}
