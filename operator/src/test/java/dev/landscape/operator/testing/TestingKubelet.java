package dev.landscape.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a kubelet does for one container of a pod, on this machine: every volume it mounts becomes a folder (emptyDir
 * and persistent volumes empty; projected volumes filled with the service-account token, downward-API fields and
 * ConfigMap keys read from the API server), and its env is resolved (literals and field references). The one
 * difference from a node: container paths become those folders, in the env and in the projected config file, since
 * the container's filesystem does not exist here.
 */
public final class TestingKubelet {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METADATA_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final KubernetesClient client;
    private final Path node;

    /** @param node where the pod's volumes are created */
    public TestingKubelet(KubernetesClient client, Path node) {
        this.client = client;
        this.node = node;
    }

    /** The container as started: its resolved env, and where each of its mount paths lives on this machine. */
    public record Started(Map<String, String> env, Map<String, Path> mounts) {

        /** The folder or file behind a path inside the container. */
        public Path hostPath(String containerPath) {
            return Path.of(TestingKubelet.hostPath(containerPath, mounts));
        }
    }

    /** Mounts the volumes of {@code containerName} (init or regular container) and resolves its env. */
    public Started start(Pod pod, String containerName, String token) throws IOException {
        Container container = Stream.concat(pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream())
                .filter(c -> c.getName().equals(containerName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("pod " + pod.getMetadata().getName() + " has no container " + containerName));
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount m : container.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown volume " + m.getName()));
            mounts.put(m.getMountPath(), mount(pod, v, token));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            String value = e.getValue() != null ? e.getValue() : field(pod, e.getValueFrom().getFieldRef().getFieldPath());
            env.put(e.getName(), hostPath(value, mounts));
        }
        String config = env.get("LANDSCAPE_CONFIG_FILE");
        if (config != null && Files.exists(Path.of(config))) {
            ObjectNode doc = (ObjectNode) JSON.readTree(Path.of(config).toFile());
            doc.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual()) {
                    f.setValue(TextNode.valueOf(hostPath(f.getValue().asText(), mounts)));
                }
            });
            Files.writeString(Path.of(config), JSON.writeValueAsString(doc));
        }
        return new Started(env, mounts);
    }

    private Path mount(Pod pod, Volume v, String token) throws IOException {
        Path dir = Files.createDirectories(node.resolve(pod.getMetadata().getName()).resolve(v.getName()));
        if (v.getProjected() == null) {
            return dir;
        }
        for (VolumeProjection p : v.getProjected().getSources()) {
            if (p.getServiceAccountToken() != null) {
                Files.writeString(dir.resolve(p.getServiceAccountToken().getPath()), token);
            }
            if (p.getDownwardAPI() != null) {
                for (var item : p.getDownwardAPI().getItems()) {
                    Files.writeString(dir.resolve(item.getPath()), field(pod, item.getFieldRef().getFieldPath()));
                }
            }
            if (p.getConfigMap() != null) {
                ConfigMap map = client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(p.getConfigMap().getName()).get();
                if (map == null && !Boolean.TRUE.equals(p.getConfigMap().getOptional())) {
                    throw new IllegalStateException("ConfigMap " + p.getConfigMap().getName() + " is missing and not optional");
                }
                for (KeyToPath item : p.getConfigMap().getItems()) {
                    if (map != null && map.getData() != null && map.getData().containsKey(item.getKey())) {
                        Files.writeString(dir.resolve(item.getPath()), map.getData().get(item.getKey()));
                    }
                }
            }
        }
        return dir;
    }

    private static String field(Pod pod, String path) {
        switch (path) {
            case "metadata.name":
                return pod.getMetadata().getName();
            case "metadata.namespace":
                return pod.getMetadata().getNamespace();
            case "metadata.uid":
                return pod.getMetadata().getUid();
            default:
                Matcher m = METADATA_FIELD.matcher(path);
                if (!m.matches()) {
                    throw new IllegalArgumentException("cannot resolve fieldRef " + path);
                }
                Map<String, String> values = m.group(1).equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
                return values == null ? "" : values.getOrDefault(m.group(2), "");
        }
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
}
