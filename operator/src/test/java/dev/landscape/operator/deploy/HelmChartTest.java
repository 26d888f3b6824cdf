package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart in deploy/helm/landscape-probe, linted and rendered by Helm's own code (helm-java, offline): lint
 * clean; the default values render the objects of {@code kubectl kustomize deploy/}; every render (default and the
 * value sets in src/test/resources/helm) parses into its Fabric8 model with no unknown field; and the CRDs, alert
 * rules and dashboard the chart carries are generated copies of the one source each, never hand-kept (regenerate with
 * {@code -Dlandscape.chart.update=true}).
 */
class HelmChartTest {

    static final Path CHART = Manifests.ROOT.resolve("deploy/helm/landscape-probe");
    static final String NAMESPACE = "landscape-system";
    private static final Path VALUES = Path.of("src/test/resources/helm");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Chart file ← its one source in the repository. */
    static Map<String, String> generatedCopies() throws IOException {
        Map<String, String> copies = new java.util.TreeMap<>();
        try (Stream<Path> crds = Files.list(Manifests.ROOT.resolve("crds"))) {
            crds.filter(f -> f.toString().endsWith(".yml")).forEach(f -> copies.put("crds/" + f.getFileName(), "crds/" + f.getFileName()));
        }
        copies.put("files/landscape-rules.yaml", "deploy/prometheus/landscape-rules.yaml");
        copies.put("files/landscape-probe.json", "deploy/grafana/landscape-probe.json");
        return copies;
    }

    @Test
    void chartCarriesCurrentCopiesOfTheCrdsRulesAndDashboard() throws IOException {
        Map<String, String> copies = generatedCopies();
        if (Boolean.getBoolean("landscape.chart.update")) {
            for (Map.Entry<String, String> c : copies.entrySet()) {
                Files.createDirectories(CHART.resolve(c.getKey()).getParent());
                Files.copy(Manifests.ROOT.resolve(c.getValue()), CHART.resolve(c.getKey()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Map.Entry<String, String> c : copies.entrySet()) {
            assertThat(CHART.resolve(c.getKey()))
                    .as("deploy/helm/landscape-probe/%s is stale (source: %s): regenerate with ./mvnw -B -pl operator -am test"
                            + " -Dtest=HelmChartTest -Dlandscape.chart.update=true -Dsurefire.failIfNoSpecifiedTests=false", c.getKey(), c.getValue())
                    .hasSameBinaryContentAs(Manifests.ROOT.resolve(c.getValue()));
        }
        try (Stream<Path> crds = Files.list(CHART.resolve("crds"))) {
            assertThat(crds.map(f -> "crds/" + f.getFileName())).as("no CRD in the chart without a source in crds/")
                    .allMatch(copies::containsKey);
        }
    }

    @Test
    void lintIsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("helm lint --strict").allMatch(m -> !m.contains("[WARNING]") && !m.contains("[ERROR]"));
    }

    @Test
    void defaultValuesRenderTheObjectsOfTheKustomizeTree() throws Exception {
        List<JsonNode> kustomize = Manifests.render("deploy");

        List<JsonNode> helm = render(null);

        // Helm installs crds/ itself, and a release's namespace must exist before the release (helm install
        // --create-namespace): the chart renders no Namespace (docs/install.md says how to label it).
        assertThat(identities(helm)).isEqualTo(identities(kustomize.stream()
                .filter(d -> !d.path("kind").asText().equals("CustomResourceDefinition") && !d.path("kind").asText().equals("Namespace"))
                .toList()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cert-manager.yaml", "cert-manager-own-issuer.yaml", "namespaced.yaml", "monitoring.yaml", "no-pdb-no-networkpolicy.yaml"})
    void everyRenderIsStrictlyValid(String values) throws Exception {
        List<JsonNode> docs = render(values.isEmpty() ? null : values);

        assertThat(docs).isNotEmpty();
        assertThat(Manifests.problems(docs)).as("unknown fields or models with values %s", values).isEmpty();
    }

    @Test
    void defaultsMatchTheKustomizeDeploymentAndWebhook() throws Exception {
        JsonNode helm = one(render(null), "Deployment");
        JsonNode kustomize = one(Manifests.render("deploy"), "Deployment");

        JsonNode container = helm.at("/spec/template/spec/containers/0");
        JsonNode expected = kustomize.at("/spec/template/spec/containers/0");
        for (String field : List.of("/image", "/ports", "/startupProbe", "/livenessProbe", "/readinessProbe", "/resources", "/securityContext", "/volumeMounts")) {
            assertThat(container.at(field)).as(field).isEqualTo(expected.at(field));
        }
        assertThat(helm.at("/spec/replicas")).isEqualTo(kustomize.at("/spec/replicas"));
        assertThat(helm.at("/spec/template/spec/volumes")).isEqualTo(kustomize.at("/spec/template/spec/volumes"));
        assertThat(env(container, "LANDSCAPE_WEBHOOK_TLS_MODE")).isEqualTo("self-signed");
        assertThat(env(container, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(container.path("image").asText()).isEqualTo(dev.landscape.contract.Images.OPERATOR);
        assertThat(env(container, "LANDSCAPE_WEBHOOK_SIDECAR_IMAGE")).isEqualTo(dev.landscape.contract.Images.SIDECAR);
        for (String kind : List.of("MutatingWebhookConfiguration", "PodDisruptionBudget", "NetworkPolicy", "Service")) {
            JsonNode chart = one(render(null), kind);
            JsonNode tree = one(Manifests.render("deploy"), kind);
            String body = kind.equals("MutatingWebhookConfiguration") ? "/webhooks" : "/spec";
            assertThat(chart.at(body)).as(kind).isEqualTo(tree.at(body));
        }
    }

    @Test
    void certManagerModeGrantsNoSecretOrWebhookConfigurationWrites() throws Exception {
        List<JsonNode> docs = render("cert-manager.yaml");

        assertThat(Rbac.grants(docs)).noneMatch(g -> g.resource().equals("secrets") || g.resource().equals("mutatingwebhookconfigurations"));
        assertThat(one(docs, "Certificate").at("/spec/issuerRef/name").asText()).isEqualTo("platform-ca");
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("Issuer"));
        assertThat(one(docs, "MutatingWebhookConfiguration").at("/metadata/annotations/cert-manager.io~1inject-ca-from").asText())
                .isEqualTo(NAMESPACE + "/landscape-webhook");
        JsonNode container = one(docs, "Deployment").at("/spec/template/spec/containers/0");
        assertThat(env(container, "LANDSCAPE_WEBHOOK_TLS_MODE")).isEqualTo("cert-manager");
    }

    @Test
    void watchedNamespacesGetRolesAndNoClusterWideNamespacedGrants() throws Exception {
        List<JsonNode> docs = render("namespaced.yaml");

        List<Rbac.Grant> grants = Rbac.grants(docs);
        assertThat(grants).filteredOn(g -> g.namespace() == null).extracting(Rbac.Grant::resource)
                .as("cluster-wide: only what is not namespaced")
                .allMatch(r -> r.equals("tokenreviews") || r.equals("mutatingwebhookconfigurations"));
        for (String ns : List.of("team-a", "team-b")) {
            assertThat(grants).as("grants in %s", ns).anyMatch(g -> ns.equals(g.namespace()) && g.resource().equals("pods") && g.verb().equals("watch"));
            assertThat(grants).as("grants in %s", ns).anyMatch(g -> ns.equals(g.namespace()) && g.resource().equals("landscapeprobes") && g.verb().equals("watch"));
        }
        JsonNode deployment = one(docs, "Deployment");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(env(container, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("team-a,team-b");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(container.path("image").asText()).isEqualTo("ghcr.io/landscape-dev/landscape-operator:0.1.1");
        assertThat(env(container, "LANDSCAPE_WEBHOOK_SIDECAR_IMAGE")).isEqualTo("registry.example.com/landscape-probe:0.1.1");
        assertThat(one(docs, "MutatingWebhookConfiguration").at("/webhooks/0/namespaceSelector/matchExpressions").toString())
                .contains("{\"key\":\"kubernetes.io/metadata.name\",\"operator\":\"In\",\"values\":[\"team-a\",\"team-b\"]}");
    }

    @Test
    void monitoringObjectsCarryTheExtraLabelsAndTheOneSourceOfRulesAndDashboard() throws Exception {
        List<JsonNode> docs = render("monitoring.yaml");

        for (String kind : List.of("ServiceMonitor", "PodMonitor", "PrometheusRule")) {
            assertThat(one(docs, kind).at("/metadata/labels/release").asText()).as(kind).isEqualTo("kube-prometheus-stack");
        }
        JsonNode rules = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml").toFile());
        assertThat(one(docs, "PrometheusRule").path("spec")).isEqualTo(rules);
        assertThat(one(docs, "PodMonitor").at("/spec/podMetricsEndpoints/0/port").asText())
                .isEqualTo(dev.landscape.contract.SidecarSettings.METRICS_PORT_NAME);
        JsonNode dashboard = one(docs, "ConfigMap");
        assertThat(dashboard.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(dashboard.at("/metadata/namespace").asText()).isEqualTo("monitoring");
        assertThat(JSON.readTree(dashboard.at("/data/landscape-probe.json").asText()))
                .isEqualTo(JSON.readTree(Manifests.ROOT.resolve("deploy/grafana/landscape-probe.json").toFile()));
    }

    @Test
    void valuesOutsideTheSchemaAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("landscape-probe").withNamespace(NAMESPACE)
                .set("tls.mode", "letsencrypt").call())
                .hasMessageContaining("tls.mode");
    }

    static List<JsonNode> render(String valuesFile) throws IOException {
        var template = new Helm(CHART).template().withName("landscape-probe").withNamespace(NAMESPACE);
        if (valuesFile != null) {
            template = template.withValuesFile(VALUES.resolve(valuesFile).toAbsolutePath());
        }
        return Manifests.documents(template.call());
    }

    private static TreeSet<String> identities(List<JsonNode> docs) {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode d : docs) {
            out.add(d.path("kind").asText() + " " + d.at("/metadata/namespace").asText("") + "/" + d.at("/metadata/name").asText());
        }
        return out;
    }

    static JsonNode one(List<JsonNode> docs, String kind) {
        List<JsonNode> found = new ArrayList<>(docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList());
        assertThat(found).as("one %s", kind).hasSize(1);
        return found.get(0);
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }
}
