package dev.landscape.demo.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real operator, as shipped ({@code operator/target/quarkus-app/quarkus-run.jar}), run as the rendered
 * Deployment's container would run it: its environment (TLS mode, HTTPS configuration, watched namespaces), its
 * namespace (landscape-system, where it keeps the webhook CA Secret and whose MutatingWebhookConfiguration caBundle
 * it patches) and its memory limit with {@code MaxRAMPercentage} (as {@code -Xmx}); profile prod, so leader
 * election runs as on a cluster. One replica, where the Deployment asks for two.
 *
 * <p>What cannot exist on one machine is changed, and only that: the image is the local jar; each container port is
 * a free loopback port (the Service's port is registered with the API server for its webhook calls and for the
 * pods' {@code ServiceProxy}); the {@code webhook-tls} emptyDir is a folder under {@code nodeDir} (so the cert-dir
 * setting names that folder); the API server is {@code http://127.0.0.1:<port>} with no service-account token.
 */
public final class OperatorProcess implements AutoCloseable {

    private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");
    private static final String CONTAINER = "operator";

    private final Process process;
    private final Map<String, Integer> ports;
    private final String readinessPath;
    private final Path log;

    private OperatorProcess(Process process, Map<String, Integer> ports, String readinessPath, Path log) {
        this.process = process;
        this.ports = ports;
        this.readinessPath = readinessPath;
        this.log = log;
    }

    /**
     * @param deployment the rendered operator Deployment
     * @param service    the rendered Service in front of it (its ports are registered with {@code api})
     * @param rescan     how often a probe is re-evaluated without events (the demo's pace; production: 30 s)
     */
    public static OperatorProcess start(Layout layout, EmbeddedApiServer api, Deployment deployment, Service service,
                                        Duration rescan, Path nodeDir, Path log) throws IOException {
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(x -> x.getName().equals(CONTAINER)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the rendered Deployment has no container " + CONTAINER));
        String namespace = deployment.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() == null) {
                throw new IllegalStateException("the demo runs the operator with literal env values only; " + e.getName() + " has valueFrom");
            }
            env.put(e.getName(), e.getValue());
        }
        // Container ports become free loopback ports: the HTTP one by quarkus.http.port, HTTPS by the env the
        // Deployment sets (QUARKUS_HTTP_SSL_PORT), metrics by landscape.metrics.prometheus-port.
        Map<String, Integer> ports = new HashMap<>();
        Map<Integer, Integer> byContainerPort = new HashMap<>();
        for (ContainerPort p : c.getPorts()) {
            int free = Ports.free();
            ports.put(p.getName(), free);
            byContainerPort.put(p.getContainerPort(), free);
        }
        env.replaceAll((k, v) -> k.equals("QUARKUS_HTTP_SSL_PORT") ? byContainerPort.getOrDefault(Integer.parseInt(v), Integer.parseInt(v)).toString() : v);
        for (VolumeMount m : c.getVolumeMounts()) {
            if (m.getName().equals("webhook-tls")) {
                Path dir = Files.createDirectories(nodeDir.resolve("volumes").resolve(m.getName()));
                env.put("LANDSCAPE_WEBHOOK_TLS_CERT_DIR", dir.toString());
            }
        }
        for (ServicePort sp : service.getSpec().getPorts()) {
            Integer local = target(sp.getTargetPort(), c, byContainerPort);
            if (local != null) {
                api.serve(namespace, service.getMetadata().getName(), sp.getPort(), new InetSocketAddress(InetAddress.getLoopbackAddress(), local));
            }
        }

        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions(env.remove("JAVA_OPTS_APPEND"), c));
        cmd.addAll(List.of(
                "-Dquarkus.profile=prod",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + ports.get("http"),
                // Fabric8's own settings, as a pod's service account and KUBERNETES_SERVICE_HOST would give them.
                "-Dkubernetes.master=" + api.url(),
                "-Dkubernetes.namespace=" + namespace,
                "-Dkubernetes.auth.tryKubeConfig=false",
                "-Dkubernetes.auth.tryServiceAccount=false",
                "-Dlandscape.metrics.prometheus-port=" + ports.get("metrics"),
                "-Dlandscape.reconcile.rescan-interval=" + rescan.toMillis() + "ms",
                "-jar", layout.operatorJar().toString()));
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("LANDSCAPE_") || k.startsWith("KUBERNETES_"));
        pb.environment().putAll(env);
        String readiness = c.getReadinessProbe() != null && c.getReadinessProbe().getHttpGet() != null
                ? c.getReadinessProbe().getHttpGet().getPath() : "/q/health/ready";
        return new OperatorProcess(pb.start(), ports, readiness, log);
    }

    private static Integer target(IntOrString targetPort, Container c, Map<Integer, Integer> byContainerPort) {
        if (targetPort.getIntVal() != null) {
            return byContainerPort.get(targetPort.getIntVal());
        }
        return c.getPorts().stream().filter(p -> targetPort.getStrVal().equals(p.getName()))
                .map(p -> byContainerPort.get(p.getContainerPort())).findFirst().orElse(null);
    }

    /** JAVA_OPTS_APPEND as the image's launcher applies it, with MaxRAMPercentage taken of the memory limit, not the host's RAM. */
    static List<String> jvmOptions(String append, Container c) {
        List<String> out = new ArrayList<>();
        if (append == null || append.isBlank()) {
            return out;
        }
        Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null : c.getResources().getLimits().get("memory");
        for (String o : append.trim().split("\\s+")) {
            Matcher m = MAX_RAM.matcher(o);
            if (m.matches() && limit != null) {
                BigDecimal bytes = Quantity.getAmountInBytes(limit);
                long mib = bytes.multiply(new BigDecimal(m.group(1))).divide(BigDecimal.valueOf(100L * 1024 * 1024), java.math.RoundingMode.DOWN).longValue();
                out.add("-Xmx" + mib + "m");
            } else {
                out.add(o);
            }
        }
        return out;
    }

    /** Waits until the operator's readiness probe answers 200; fails with the log's tail if it dies or takes too long. */
    public void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the operator exited with " + process.exitValue() + ": " + Logs.firstError(log)
                        + "\n(log: " + log + ")");
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + readinessPath))
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

    /** The plain-HTTP port (health, metrics scrape); the webhook and report ingest are on the Service's HTTPS port. */
    public String baseUrl() {
        return "http://127.0.0.1:" + ports.get("http");
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
