package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.landscape.operator.crd.RepositoryPaths;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Renders deploy/ kustomizations offline with the machine's kubectl (skipping with a message when it is absent). */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path ROOT = RepositoryPaths.root();
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** Kinds without a Fabric8 model on the test classpath: checked for an apiVersion only. */
    static final Set<String> NON_CORE_KINDS = Set.of("Certificate", "Issuer", "ServiceMonitor", "PodMonitor", "PrometheusRule");

    private Manifests() {
    }

    static List<JsonNode> render(String kustomization) throws IOException, InterruptedException {
        Path kubectl = Path.of("/usr/bin/kubectl");
        Assumptions.assumeTrue(Files.isExecutable(kubectl), "kubectl is not installed: skipping the offline kustomize render of " + kustomization);
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", ROOT.resolve(kustomization).toString())
                .redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + kustomization + " failed: " + err);
        }
        return documents(new String(out, StandardCharsets.UTF_8));
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(yaml);
             MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    /**
     * What kube-apiserver would drop or refuse in {@code docs}: a kind without a model, or a field the model does not
     * know (a misspelt field is silently pruned by the API server). Empty when every document is strictly valid.
     */
    static List<String> problems(List<JsonNode> docs) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            if (NON_CORE_KINDS.contains(kind)) {
                if (doc.path("apiVersion").asText().isBlank()) {
                    out.add(kind + " without apiVersion");
                }
                continue;
            }
            HasMetadata typed = SERIALIZATION.unmarshal(doc.toString());
            if (!typed.getClass().getSimpleName().equals(kind)) {
                out.add(kind + " parsed as " + typed.getClass().getSimpleName() + ": no model for it");
                continue;
            }
            findUnknown(typed, kind + "/" + typed.getMetadata().getName(), out, new IdentityHashMap<>());
        }
        return out;
    }

    /** Every bean in the object graph whose additionalProperties is non-empty is a field the model does not know. */
    static void findUnknown(Object o, String path, List<String> out, Map<Object, Boolean> seen) throws Exception {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?> || seen.containsKey(o)) {
            return;
        }
        seen.put(o, true);
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                findUnknown(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                findUnknown(e.getValue(), path + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            Object v = m.invoke(o);
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
                continue;
            }
            findUnknown(v, path + "." + m.getName().substring(3), out, seen);
        }
    }
}
