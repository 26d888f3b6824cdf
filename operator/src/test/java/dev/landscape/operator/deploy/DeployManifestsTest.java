package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code kubectl apply -k deploy/} (and the overlays) would send, checked offline: every document parses into
 * its Fabric8 model with no unknown field anywhere (a misspelt field would be silently dropped by the API server),
 * the RBAC grants every call the code makes, and the alert rules, PrometheusRule, promtool tests and runbooks agree.
 */
class DeployManifestsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Set<String> NON_CORE_KINDS = Set.of("Certificate", "Issuer", "ServiceMonitor", "PrometheusRule");

    @Test
    void defaultInstallHasEverythingTheOperatorNeeds() throws Exception {
        List<JsonNode> docs = Manifests.render("deploy");

        assertThat(docs).extracting(d -> d.path("kind").asText()).contains("CustomResourceDefinition", "Namespace",
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service",
                "MutatingWebhookConfiguration");
        JsonNode deployment = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(deployment.at("/spec/template/spec/containers/0/env").toString()).contains("LANDSCAPE_WEBHOOK_TLS_MODE", "self-signed");
    }

    @Test
    void everyRenderedDocumentIsStrictlyValid() throws Exception {
        for (String k : List.of("deploy", "deploy/overlays/cert-manager", "deploy/overlays/prometheus-operator")) {
            for (JsonNode doc : Manifests.render(k)) {
                String kind = doc.path("kind").asText();
                if (NON_CORE_KINDS.contains(kind)) {
                    assertThat(doc.path("apiVersion").asText()).as(kind).isNotBlank();
                    continue;
                }
                HasMetadata typed = SERIALIZATION.unmarshal(doc.toString());
                assertThat(typed.getClass().getSimpleName()).as("%s in %s is a known model", kind, k).isEqualTo(kind);
                List<String> unknown = new ArrayList<>();
                findUnknown(typed, kind + "/" + typed.getMetadata().getName(), unknown, new IdentityHashMap<>());
                assertThat(unknown).as("unknown fields in %s", k).isEmpty();
            }
        }
    }

    @Test
    void rbacGrantsEveryCallTheOperatorMakes() throws Exception {
        List<JsonNode> docs = Manifests.render("deploy");
        List<PolicyRule> rules = new ArrayList<>();
        for (JsonNode d : docs) {
            switch (d.path("kind").asText()) {
                case "ClusterRole" -> rules.addAll(SERIALIZATION.unmarshal(d.toString(), ClusterRole.class).getRules());
                case "Role" -> rules.addAll(SERIALIZATION.unmarshal(d.toString(), Role.class).getRules());
                default -> { }
            }
        }
        // (apiGroup, resource, verb) of every API call in operator/src/main: informers, status writes, reports,
        // Events, TokenReviews, leader election, webhook TLS.
        String[][] calls = {
                {"", "pods", "list"}, {"", "pods", "watch"}, {"", "pods", "get"},
                {"", "events", "create"},
                {"landscape.dev", "landscapeprobes", "list"}, {"landscape.dev", "landscapeprobes", "watch"}, {"landscape.dev", "landscapeprobes", "get"},
                {"landscape.dev", "landscapeprobes/status", "update"}, {"landscape.dev", "landscapeprobes/status", "patch"},
                {"landscape.dev", "probereports", "list"}, {"landscape.dev", "probereports", "watch"}, {"landscape.dev", "probereports", "get"},
                {"landscape.dev", "probereports", "create"}, {"landscape.dev", "probereports/status", "update"},
                {"authentication.k8s.io", "tokenreviews", "create"},
                {"coordination.k8s.io", "leases", "get"}, {"coordination.k8s.io", "leases", "create"}, {"coordination.k8s.io", "leases", "update"},
                {"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "patch"},
                {"", "secrets", "get"}, {"", "secrets", "create"}, {"", "secrets", "update"},
                {"", "configmaps", "get"}, {"", "configmaps", "create"}, {"", "configmaps", "update"},
                {"jobset.x-k8s.io", "jobsets", "get"},
        };
        for (String[] c : calls) {
            boolean allowed = rules.stream().anyMatch(r -> r.getApiGroups().contains(c[0]) && r.getResources().contains(c[1]) && r.getVerbs().contains(c[2]));
            assertThat(allowed).as("RBAC must allow %s %s in group '%s'", c[2], c[1], c[0]).isTrue();
        }
        assertThat(rules.stream().flatMap(r -> r.getVerbs().stream())).as("least privilege: no wildcards").doesNotContain("*");
    }

    @Test
    void prometheusRuleWrapsExactlyTheTestedRuleGroups() throws Exception {
        Path rules = Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml");
        Path cr = Manifests.ROOT.resolve("deploy/overlays/prometheus-operator/prometheusrule.yaml");
        String expected = prometheusRule(Files.readString(rules));
        if (Boolean.getBoolean("landscape.rules.update")) {
            Files.writeString(cr, expected);
        }

        assertThat(Files.readString(cr)).as("%s is stale: regenerate with ./mvnw -B -pl operator -am test -Dtest=DeployManifestsTest "
                + "-Dlandscape.rules.update=true -Dsurefire.failIfNoSpecifiedTests=false", cr).isEqualTo(expected);
        assertThat(Manifests.YAML.readTree(expected).path("spec")).isEqualTo(Manifests.YAML.readTree(rules.toFile()));
    }

    /** The rule file's groups, comments and all, inside a PrometheusRule. */
    private static String prometheusRule(String rules) throws java.io.IOException {
        String groups = rules.substring(rules.indexOf("\ngroups:") + 1);
        return """
                # Generated from deploy/prometheus/landscape-rules.yaml by DeployManifestsTest (-Dlandscape.rules.update=true):
                # the same groups, tested by promtool. Edit the rule file, not this one.
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata:
                  name: landscape-probe
                  namespace: %s
                  labels:
                    app.kubernetes.io/name: landscape-operator
                spec:
                """.formatted(operatorNamespace()) + groups.lines().map(l -> l.isEmpty() ? l : "  " + l).collect(Collectors.joining("\n")) + "\n";
    }

    @Test
    void everyAlertHasSummaryDescriptionAndARunbookWithTheFourSections() throws Exception {
        JsonNode file = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml").toFile());
        int alerts = 0;
        for (JsonNode rule : rules(file)) {
            String name = rule.path("alert").asText();
            if (name.isEmpty()) {
                continue;
            }
            alerts++;
            assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
            String url = rule.at("/annotations/runbook_url").asText();
            assertThat(url).as(name).endsWith("deploy/runbooks/" + name + ".md");
            assertThat(Files.readString(Manifests.ROOT.resolve("deploy/runbooks/" + name + ".md")))
                    .as(name).contains("## Impact", "## Diagnose", "## Mitigate", "## Escalate");
        }
        assertThat(alerts).isGreaterThanOrEqualTo(15);
    }

    /**
     * promtool proves what fires; this proves the tests cover it: every alert is expected to fire at least once with
     * a {@code namespace} and a {@code severity} label and to stay quiet at least once, and a runbook names only
     * labels that its alert carries in those expectations (no boilerplate about labels it never has).
     */
    @Test
    void everyAlertFiresWithNamespaceAndSeverityAndStaysQuietInThePromtoolTests() throws Exception {
        JsonNode rulesFile = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml").toFile());
        JsonNode tests = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/tests/landscape-rules-test.yaml").toFile());
        Map<String, Set<String>> firedLabels = new TreeMap<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode t : tests.path("tests")) {
            for (JsonNode a : t.path("alert_rule_test")) {
                String name = a.path("alertname").asText();
                if (a.path("exp_alerts").isEmpty()) {
                    quiet.add(name);
                }
                for (JsonNode exp : a.path("exp_alerts")) {
                    Set<String> labels = firedLabels.computeIfAbsent(name, n -> new TreeSet<>());
                    exp.path("exp_labels").fieldNames().forEachRemaining(labels::add);
                    assertThat(exp.path("exp_labels").path("namespace").asText()).as("namespace of %s", name).isNotBlank();
                    assertThat(exp.path("exp_labels").path("severity").asText()).as("severity of %s", name).isIn("warning", "critical");
                }
            }
        }
        Set<String> alertNames = new TreeSet<>();
        rules(rulesFile).forEach(r -> {
            if (r.hasNonNull("alert")) {
                alertNames.add(r.path("alert").asText());
            }
        });
        assertThat(firedLabels.keySet()).as("alerts the tests make fire").containsAll(alertNames);
        assertThat(quiet).as("alerts the tests keep quiet").containsAll(alertNames);
        for (String name : alertNames) {
            String runbook = Files.readString(Manifests.ROOT.resolve("deploy/runbooks/" + name + ".md"));
            for (String label : List.of("namespace", "landscape_probe", "landscape_rank", "landscape_reason", "k8s_pod_name",
                    "k8s_namespace_name", "slo_window")) {
                if (runbook.contains("`" + label + "`")) {
                    assertThat(firedLabels.get(name)).as("%s's runbook names label %s", name, label).contains(label);
                }
            }
        }
    }

    @Test
    void operatorAlertsNameTheNamespaceTheOperatorIsInstalledIn() throws Exception {
        String operatorNamespace = operatorNamespace();
        JsonNode file = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml").toFile());
        List<String> fixed = new ArrayList<>();
        rules(file).forEach(r -> {
            if (r.at("/labels/namespace").isTextual()) {
                fixed.add(r.path("alert").asText());
                assertThat(r.at("/labels/namespace").asText()).isEqualTo(operatorNamespace);
            }
        });
        assertThat(fixed).containsExactlyInAnyOrder("LandscapeOperatorDown", "LandscapeWebhookFailures");
    }

    /** Where deploy/ installs the operator (deploy/base/namespace.yaml); its own alerts carry it as their namespace. */
    private static String operatorNamespace() throws java.io.IOException {
        return Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/base/namespace.yaml").toFile()).at("/metadata/name").asText();
    }

    private static List<JsonNode> rules(JsonNode file) {
        List<JsonNode> out = new ArrayList<>();
        file.path("groups").forEach(g -> g.path("rules").forEach(out::add));
        return out;
    }

    /** Every bean in the object graph whose additionalProperties is non-empty is a field the model does not know. */
    private static void findUnknown(Object o, String path, List<String> out, Map<Object, Boolean> seen) throws Exception {
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
