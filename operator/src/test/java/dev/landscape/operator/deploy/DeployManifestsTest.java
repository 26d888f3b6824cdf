package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code kubectl apply -k deploy/} (and the overlays) would send, checked offline: every document parses into
 * its Fabric8 model with no unknown field anywhere (a misspelt field would be silently dropped by the API server),
 * the RBAC grants every call the code makes, and the alert rules, PrometheusRule and runbooks agree.
 */
class DeployManifestsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

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
            assertThat(Manifests.problems(Manifests.render(k))).as("unknown fields or models in %s", k).isEmpty();
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
        };
        for (String[] c : calls) {
            boolean allowed = rules.stream().anyMatch(r -> r.getApiGroups().contains(c[0]) && r.getResources().contains(c[1]) && r.getVerbs().contains(c[2]));
            assertThat(allowed).as("RBAC must allow %s %s in group '%s'", c[2], c[1], c[0]).isTrue();
        }
        assertThat(rules.stream().flatMap(r -> r.getVerbs().stream())).as("least privilege: no wildcards").doesNotContain("*");
    }

    @Test
    void prometheusRuleWrapsExactlyTheTestedRuleGroups() throws Exception {
        JsonNode file = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml").toFile());
        JsonNode cr = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/overlays/prometheus-operator/prometheusrule.yaml").toFile());

        assertThat(cr.path("spec")).isEqualTo(file);
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndARunbookThatExists() throws Exception {
        JsonNode file = Manifests.YAML.readTree(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml").toFile());
        int alerts = 0;
        for (JsonNode group : file.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                alerts++;
                assertThat(rule.at("/labels/severity").asText()).as(name).isIn("info", "warning", "critical");
                assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
                assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
                String url = rule.at("/annotations/runbook_url").asText();
                assertThat(url).as(name).endsWith("deploy/runbooks/" + name + ".md");
                assertThat(Files.readString(Manifests.ROOT.resolve("deploy/runbooks/" + name + ".md")))
                        .as(name).contains("## What it means", "## How to confirm", "## What to do");
            }
        }
        assertThat(alerts).isGreaterThanOrEqualTo(12);
    }
}
