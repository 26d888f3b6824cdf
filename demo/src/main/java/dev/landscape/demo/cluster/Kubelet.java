package dev.landscape.demo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The demo's node agent. It does what a kubelet does for the pods the demo creates, and nothing more: reports
 * them Running, materialises the injected sidecar's volumes on the host (an {@code emptyDir} becomes a folder, a
 * projected volume gets a freshly issued service-account token for its audience, the downward-API files and the
 * keys of its ConfigMaps (the operator's CA bundle), a {@code hostPath} is used as is), resolves its environment ({@code fieldRef} to the pod's name, namespace, UID,
 * labels and annotations) and starts it as a process from the sidecar jar — the image's entrypoint. It also
 * reports what the trainer container went through: an OOM kill and the in-place restart that follows.
 *
 * <p>There are no mount namespaces here, so paths the sidecar is given that lie under one of its mount paths are
 * rewritten to the host folder mounted there (checkpoint volumes are {@code hostPath}s mounted at their own path,
 * so those stay as they are); javacpp's native cache is shared by the sidecars of one host instead of unpacked
 * ~400 MB per pod; the metrics and health ports, which would be private to each pod's network namespace, get
 * free host ports; and the sidecar's JVM is given the {@code ServiceProxy} as its HTTPS proxy, which stands in for
 * cluster DNS and kube-proxy (it still connects to {@code https://<service>.<namespace>.svc} and checks the
 * certificate against that name).
 */
public final class Kubelet implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ANNOTATION = Pattern.compile("metadata\\.(annotations|labels)\\['([^']+)'\\]");

    private final KubernetesClient client;
    private final TokenAuthority tokens;
    private final Layout layout;
    private final Path nodeDir;
    private final Path javacppCache;
    private final Clock clock;
    private final int serviceProxyPort;
    private final Map<String, SidecarProcess> sidecars = new ConcurrentHashMap<>();

    public Kubelet(KubernetesClient client, TokenAuthority tokens, Layout layout, Path nodeDir, Path javacppCache, Clock clock,
                   int serviceProxyPort) {
        this.serviceProxyPort = serviceProxyPort;
        this.client = client;
        this.tokens = tokens;
        this.layout = layout;
        this.nodeDir = nodeDir;
        this.javacppCache = javacppCache;
        this.clock = clock;
    }

    /** Runs a pod the API server admitted and stored: starts its sidecar (if one was injected), reports every container running. */
    public Pod run(Pod pod) throws IOException {
        Optional<Container> sidecar = injectedSidecar(pod);
        if (sidecar.isPresent()) {
            Path log = nodeDir.resolve("pods").resolve(pod.getMetadata().getName()).resolve("sidecar.log");
            List<String> args = sidecar.get().getArgs() == null ? List.of() : sidecar.get().getArgs();
            sidecars.put(pod.getMetadata().getName(), SidecarProcess.start(layout, pod.getMetadata().getName(),
                    sidecarEnvironment(pod, sidecar.get()), args, log));
        }
        return reportRunning(pod);
    }

    /**
     * Runs a pod as {@link #run} does, except that its injected sidecar is not started: its volumes are
     * materialised (token, CA bundle, config file) and the environment it would start with is returned, for a caller
     * that runs the sidecar's own classes in its JVM (the delivery soak) and loads its settings from that environment.
     *
     * @throws IllegalStateException if the webhook injected no sidecar into the pod
     */
    public Map<String, String> runWithSidecarInProcess(Pod pod) throws IOException {
        Container sidecar = injectedSidecar(pod).orElseThrow(() ->
                new IllegalStateException("pod " + pod.getMetadata().getName() + " has no injected sidecar"));
        Map<String, String> env = sidecarEnvironment(pod, sidecar);
        reportRunning(pod);
        return env;
    }

    private Pod reportRunning(Pod pod) {
        Instant now = Instant.now(clock);
        List<ContainerStatus> main = pod.getSpec().getContainers().stream().map(c -> running(c.getName(), 0, now, null)).toList();
        List<ContainerStatus> init = pod.getSpec().getInitContainers().stream().map(c -> running(c.getName(), 0, now, null)).toList();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withStartTime(now.toString()).withPodIP("127.0.0.1")
                .withContainerStatuses(main).withInitContainerStatuses(init)
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now.toString()).endCondition()
                .build());
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    }

    /**
     * The container was killed by the kernel's OOM killer (exit 137) and restarted in place: its restart count goes
     * up, {@code lastState} records the kill, and it is running again. The pod and its sidecar stay.
     */
    public Pod oomKill(String namespace, String podName, String containerName, Duration downFor) {
        Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
        Instant now = Instant.now(clock);
        List<ContainerStatus> statuses = new ArrayList<>();
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (!cs.getName().equals(containerName)) {
                statuses.add(cs);
                continue;
            }
            Instant startedAt = Instant.parse(cs.getState().getRunning().getStartedAt());
            ContainerStatus killed = running(cs.getName(), cs.getRestartCount() + 1, now.plus(downFor), null);
            killed.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
                    .withReason("OOMKilled").withExitCode(137).withStartedAt(startedAt.toString())
                    .withFinishedAt(now.toString()).endTerminated().build());
            statuses.add(killed);
        }
        pod.getStatus().setContainerStatuses(statuses);
        return client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    /** The pod's containers exited 0 (the job finished): phase Succeeded, so no one waits for more checkpoints. */
    public Pod complete(String namespace, String podName) {
        Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
        Instant now = Instant.now(clock);
        List<ContainerStatus> statuses = new ArrayList<>();
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            String startedAt = cs.getState().getRunning() == null ? now.toString() : cs.getState().getRunning().getStartedAt();
            cs.setReady(false);
            cs.setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated().withReason("Completed")
                    .withExitCode(0).withStartedAt(startedAt).withFinishedAt(now.toString()).endTerminated().build());
            statuses.add(cs);
        }
        pod.getStatus().setContainerStatuses(statuses);
        pod.getStatus().setPhase("Succeeded");
        return client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    public Map<String, SidecarProcess> sidecars() {
        return Map.copyOf(sidecars);
    }

    private static ContainerStatus running(String name, int restarts, Instant since, String image) {
        return new ContainerStatusBuilder().withName(name).withReady(true).withRestartCount(restarts).withStarted(true)
                .withImage(image == null ? "demo" : image).withImageID("").withContainerID("demo://" + name + "/" + restarts)
                .withNewState().withNewRunning().withStartedAt(since.toString()).endRunning().endState().build();
    }

    private static Optional<Container> injectedSidecar(Pod pod) throws IOException {
        String status = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get("landscape.dev/injection-status");
        if (status == null) {
            return Optional.empty();
        }
        String name = JSON.readTree(status).path("container").asText();
        return Stream.concat(pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream())
                .filter(c -> c.getName().equals(name)).findFirst();
    }

    /** The sidecar's environment with its volumes materialised on the host and its paths pointed at them. */
    private Map<String, String> sidecarEnvironment(Pod pod, Container c) throws IOException {
        Path podDir = nodeDir.resolve("pods").resolve(pod.getMetadata().getName());
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("pod " + pod.getMetadata().getName() + " mounts unknown volume " + m.getName()));
            mounts.put(m.getMountPath(), materialise(pod, v, podDir.resolve("volumes").resolve(v.getName())));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            String value = e.getValue() != null ? e.getValue() : fieldRef(pod, e.getValueFrom().getFieldRef().getFieldPath());
            env.put(e.getName(), e.getName().equals("JAVA_TOOL_OPTIONS") ? javaOptions(value, mounts) : hostPath(value, mounts));
        }
        env.put("LANDSCAPE_METRICS_PORT", Integer.toString(Ports.free()));
        env.put("LANDSCAPE_HEALTH_PORT", Integer.toString(Ports.free()));
        String configFile = env.get("LANDSCAPE_CONFIG_FILE");
        if (configFile != null) {
            rewriteConfig(Path.of(configFile), mounts);
        }
        return env;
    }

    private Path materialise(Pod pod, Volume v, Path dir) throws IOException {
        if (v.getHostPath() != null) {
            return Path.of(v.getHostPath().getPath());
        }
        Files.createDirectories(dir);
        if (v.getProjected() != null) {
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getServiceAccountToken() != null) {
                    Files.writeString(dir.resolve(p.getServiceAccountToken().getPath()),
                            tokens.issue(pod, p.getServiceAccountToken().getAudience()));
                }
                if (p.getConfigMap() != null) {
                    projectConfigMap(pod, p.getConfigMap(), dir);
                }
                if (p.getDownwardAPI() != null) {
                    for (var item : p.getDownwardAPI().getItems()) {
                        Files.writeString(dir.resolve(item.getPath()), fieldRef(pod, item.getFieldRef().getFieldPath()));
                    }
                }
            }
        } else if (v.getEmptyDir() == null) {
            throw new IllegalStateException("the demo kubelet mounts hostPath, emptyDir and projected volumes; "
                    + v.getName() + " of pod " + pod.getMetadata().getName() + " is none of them");
        }
        return dir;
    }

    /** The ConfigMap's keys as files (its items' paths when it lists them); an optional ConfigMap that is absent adds none. */
    private void projectConfigMap(Pod pod, io.fabric8.kubernetes.api.model.ConfigMapProjection source, Path dir) throws IOException {
        var map = client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(source.getName()).get();
        if (map == null) {
            if (Boolean.TRUE.equals(source.getOptional())) {
                return;
            }
            throw new IllegalStateException("pod " + pod.getMetadata().getName() + " mounts ConfigMap " + source.getName()
                    + ", which does not exist (a kubelet would keep the pod in ContainerCreating)");
        }
        Map<String, String> data = map.getData() == null ? Map.of() : map.getData();
        if (source.getItems() == null || source.getItems().isEmpty()) {
            for (Map.Entry<String, String> e : data.entrySet()) {
                Files.writeString(dir.resolve(e.getKey()), e.getValue());
            }
            return;
        }
        for (var item : source.getItems()) {
            String value = data.get(item.getKey());
            if (value != null) {
                Files.writeString(dir.resolve(item.getPath()), value);
            }
        }
    }

    private static String fieldRef(Pod pod, String path) {
        switch (path) {
            case "metadata.name":
                return pod.getMetadata().getName();
            case "metadata.namespace":
                return pod.getMetadata().getNamespace();
            case "metadata.uid":
                return pod.getMetadata().getUid();
            default:
                Matcher m = ANNOTATION.matcher(path);
                if (m.matches()) {
                    Map<String, String> values = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
                            : pod.getMetadata().getAnnotations();
                    return values == null ? "" : values.getOrDefault(m.group(2), "");
                }
                throw new IllegalStateException("the demo kubelet cannot resolve fieldRef " + path);
        }
    }

    /** The config file the webhook wrote (downward API) with its container paths pointed at the host folders. */
    private static void rewriteConfig(Path file, Map<String, Path> mounts) throws IOException {
        ObjectNode doc = (ObjectNode) JSON.readTree(file.toFile());
        for (var it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isTextual()) {
                f.setValue(TextNode.valueOf(hostPath(f.getValue().asText(), mounts)));
            }
        }
        Files.writeString(file, JSON.writeValueAsString(doc));
    }

    static String hostPath(String value, Map<String, Path> mounts) {
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            String mount = m.getKey().endsWith("/") ? m.getKey() : m.getKey() + "/";
            if (value.equals(m.getKey())) {
                return m.getValue().toString();
            }
            if (value.startsWith(mount)) {
                return m.getValue().resolve(value.substring(mount.length())).toString();
            }
        }
        return value;
    }

    private String javaOptions(String options, Map<String, Path> mounts) {
        List<String> out = new ArrayList<>(List.of("-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + serviceProxyPort));
        for (String o : options.trim().split("\\s+")) {
            if (o.startsWith("-Dorg.bytedeco.javacpp.cachedir=")) {
                out.add("-Dorg.bytedeco.javacpp.cachedir=" + javacppCache);
            } else if (o.startsWith("-D") && o.contains("=")) {
                int eq = o.indexOf('=');
                out.add(o.substring(0, eq + 1) + hostPath(o.substring(eq + 1), mounts));
            } else {
                out.add(o);
            }
        }
        return String.join(" ", out);
    }

    @Override
    public void close() {
        sidecars.values().parallelStream().forEach(SidecarProcess::close);
    }
}
