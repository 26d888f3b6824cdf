package dev.landscape.operator.bench;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts {@link StandaloneApiServer} in its own JVM and points the operator under test at it. Bench only. */
public class StandaloneApiServerResource implements QuarkusTestResourceLifecycleManager {

    static final int UNRELATED_PODS = Integer.getInteger("bench.unrelatedPods", 50_000);

    private Process process;

    @Override
    public Map<String, String> start() {
        try {
            Path url = Files.createTempFile("landscape-bench-api", ".url");
            Files.delete(url);
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx3g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                    StandaloneApiServer.class.getName(), url.toString(), Integer.toString(UNRELATED_PODS))
                    .redirectErrorStream(true).redirectOutput(new File("target/bench-api-server.log")).start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (!Files.exists(url) || Files.readString(url).isBlank()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the standalone API server did not start: see operator/target/bench-api-server.log");
                }
                Thread.sleep(500);
            }
            return Map.of("quarkus.kubernetes-client.api-server-url", Files.readString(url),
                    "quarkus.kubernetes-client.namespace", "bench",
                    "quarkus.kubernetes-client.trust-certs", "true");
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the standalone API server", e);
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }

    static List<String> namespaces() {
        return java.util.stream.IntStream.range(0, StandaloneApiServer.NAMESPACES).mapToObj(n -> "other-" + n).toList();
    }
}
