package dev.landscape.demo.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The real operator, as shipped ({@code operator/target/quarkus-app/quarkus-run.jar}), in a child JVM pointed at the
 * embedded API server: reconciler, webhook ({@code /mutate}, plain HTTP) and report ingest on one free port,
 * Prometheus metrics on another. It runs in profile {@code demo} (not {@code prod}), so there is one always-leading
 * replica, as in the operator's tests; everything else is its production configuration. Its log goes to a file.
 */
public final class OperatorProcess implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final Path log;

    private OperatorProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * @param watchNamespace    the namespace the operator watches (its kubernetes client's current namespace)
     * @param operatorNamespace the namespace it says it runs in (the webhook never injects there)
     * @param rescan            how often a probe is re-evaluated without events
     */
    public static OperatorProcess start(Layout layout, String apiUrl, String watchNamespace, String operatorNamespace,
                                        Duration rescan, Path log) throws IOException {
        int http = Ports.free();
        int metrics = Ports.free();
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=" + http,
                "-Dquarkus.http.host=127.0.0.1",
                // Fabric8's own settings, as a kubeconfig would give them (the Quarkus ones are fixed at build time).
                "-Dkubernetes.master=" + apiUrl,
                "-Dkubernetes.namespace=" + watchNamespace,
                "-Dkubernetes.auth.tryKubeConfig=false",
                "-Dkubernetes.auth.tryServiceAccount=false",
                "-Dquarkus.log.category.\"io.fabric8.mockwebserver\".level=WARN",
                "-Dlandscape.metrics.prometheus-port=" + metrics,
                "-Dlandscape.reconcile.rescan-interval=" + rescan.toMillis() + "ms",
                "-Dlandscape.webhook.tls.mode=none",
                "-Dlandscape.webhook.operator-namespace=" + operatorNamespace,
                "-Dlandscape.webhook.report-url=http://127.0.0.1:" + http + "/api/v1alpha1/reports",
                "-jar", layout.operatorJar().toString()));
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new OperatorProcess(p, http, log);
    }

    /** Waits until the operator says it is ready (controllers started, informers synced); fails with the log's tail if the process dies or takes too long. */
    public void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the operator exited with " + process.exitValue() + ":\n" + Logs.tail(log, 40));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                        .GET().timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
                Thread.sleep(200);
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the operator did not answer within " + timeout + ":\n" + Logs.tail(log, 40));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
