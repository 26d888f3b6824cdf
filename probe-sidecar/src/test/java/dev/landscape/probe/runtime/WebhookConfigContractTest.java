package dev.landscape.probe.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.landscape.contract.SidecarSettings;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook and the sidecar agree: every pod the webhook's golden files inject carries a config (annotation
 * projected as a file, plus env) that the sidecar loads without a single complaint. The operator writes, the
 * sidecar reads; this test reads what the operator's own golden files say it writes.
 */
class WebhookConfigContractTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyInjectedPodsConfigLoadsInTheSidecar() throws IOException {
        Path golden = Path.of(System.getProperty("landscape.root", "..")).resolve("operator/src/test/resources/webhook/golden");
        List<Path> injected;
        try (Stream<Path> files = Files.list(golden)) {
            injected = files.filter(p -> p.toString().endsWith(".injected.yaml")).sorted().toList();
        }
        assertThat(injected).isNotEmpty();
        return injected.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
    }

    private void check(Path pod) throws Exception {
        JsonNode root = YAML.readTree(pod.toFile());
        JsonNode config = root.path("metadata").path("annotations").path("landscape.dev/sidecar-config");
        if (config.isMissingNode()) {
            return; // a pod the webhook left alone
        }
        Path file = Files.writeString(dir.resolve(pod.getFileName() + ".json"), config.asText());
        Map<String, String> env = new HashMap<>();
        for (JsonNode c : concat(root.path("spec").path("initContainers"), root.path("spec").path("containers"))) {
            if (!"landscape-probe".equals(c.path("name").asText())) {
                continue;
            }
            for (JsonNode e : c.path("env")) {
                String value = e.has("value") ? e.get("value").asText() : fromDownwardApi(e.path("valueFrom"), root);
                env.put(e.get("name").asText(), value);
            }
        }
        assertThat(env).as("the sidecar container's env in " + pod.getFileName()).isNotEmpty();
        env.put(SidecarSettings.CONFIG_FILE_ENV, file.toString());

        SidecarConfig c = SidecarConfig.load(Map.of(), env);

        assertThat(c.probe()).isNotBlank();
        assertThat(c.dir().toString()).startsWith("/");
        assertThat(c.reportUrl().getPath()).isEqualTo("/api/v1alpha1/reports");
        List<String> trusted = new java.util.ArrayList<>();
        new ObjectMapper().readTree(config.asText()).path(SidecarSettings.TRUSTED_GLOBALS)
                .forEach(g -> trusted.add(g.asText()));
        assertThat(c.trustedGlobals()).as("spec.checkpoints.trustedGlobals reaches the sidecar").isEqualTo(trusted);
    }

    @Test
    void theTrustedGlobalsFieldIsCoveredByAGoldenPod() throws IOException {
        Path jobset = Path.of(System.getProperty("landscape.root", "..")).resolve("operator/src/test/resources/webhook/golden/jobset-pod.injected.yaml");

        assertThat(Files.readString(jobset)).contains("trusted-globals").contains("llama.training.config.PretrainConfig");
    }

    /** What the kubelet would put in an env var from fieldRef or a label of this pod. */
    private static String fromDownwardApi(JsonNode valueFrom, JsonNode pod) {
        String path = valueFrom.path("fieldRef").path("fieldPath").asText("");
        if (path.equals("metadata.name")) {
            return pod.path("metadata").path("name").asText("pod-0");
        }
        if (path.equals("metadata.namespace")) {
            return pod.path("metadata").path("namespace").asText("default");
        }
        if (path.startsWith("metadata.labels['") || path.startsWith("metadata.annotations['")) {
            String kind = path.startsWith("metadata.labels") ? "labels" : "annotations";
            String key = path.substring(path.indexOf("['") + 2, path.length() - 2);
            return pod.path("metadata").path(kind).path(key).asText("0");
        }
        return "0";
    }

    private static List<JsonNode> concat(JsonNode a, JsonNode b) {
        List<JsonNode> out = new java.util.ArrayList<>();
        a.forEach(out::add);
        b.forEach(out::add);
        return out;
    }
}
