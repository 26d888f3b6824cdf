package dev.landscape.demo.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One injected sidecar running as its image would: {@code java -jar landscape-probe.jar <args>} with the container's
 * environment (including its {@code JAVA_TOOL_OPTIONS}), logging to a file. Stopped with SIGTERM and the grace
 * period a pod gets, so it flushes its spool as it would on a real node.
 */
public final class SidecarProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String pod;
    private final Process process;
    private final Path log;
    private final Map<String, String> env;

    private SidecarProcess(String pod, Process process, Path log, Map<String, String> env) {
        this.pod = pod;
        this.process = process;
        this.log = log;
        this.env = env;
    }

    static SidecarProcess start(Layout layout, String pod, Map<String, String> env, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-jar", layout.sidecarJar().toString()));
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LANDSCAPE_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().putAll(env);
        return new SidecarProcess(pod, pb.start(), log, Map.copyOf(env));
    }

    public String pod() {
        return pod;
    }

    public Path log() {
        return log;
    }

    /** The URL the webhook told this sidecar to report to (its {@code LANDSCAPE_REPORT_URL}). */
    public String reportUrl() {
        return env.getOrDefault("LANDSCAPE_REPORT_URL", "");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The last step this sidecar analysed, from the {@code watch-state.json} it keeps beside its spool (-1 before
     * the first): how the demo paces its trainer to its sidecars.
     */
    public long analysedStep() {
        Path state = Path.of(env.get("LANDSCAPE_SPOOL")).resolveSibling("watch-state.json");
        try {
            return Files.isRegularFile(state) ? JSON.readTree(state.toFile()).path("lastStep").asLong(-1) : -1;
        } catch (IOException e) {
            return -1; // being replaced atomically right now; the next look sees it
        }
    }

    /**
     * Whether every report this sidecar has written so far has left its spool (delivered to the operator, or refused
     * for good): pending reports are the {@code *.json} files in {@code LANDSCAPE_SPOOL}. Read-only.
     */
    public boolean spoolEmpty() {
        Path spool = Path.of(env.get("LANDSCAPE_SPOOL"));
        if (!Files.isDirectory(spool)) {
            return true;
        }
        try (java.util.stream.Stream<Path> files = Files.list(spool)) {
            return files.noneMatch(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json"));
        } catch (IOException e) {
            return false; // a file is being moved right now; the next look sees it
        }
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(30));
    }
}
