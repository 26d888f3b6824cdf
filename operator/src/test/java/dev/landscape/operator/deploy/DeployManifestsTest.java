package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code kubectl apply -k deploy/} (and the overlays) would send, checked offline: every document parses into
 * its Fabric8 model with no unknown field anywhere (a misspelt field would be silently dropped by the API server),
 * and the alert rules, PrometheusRule and runbooks agree (RbacCoverageTest checks the RBAC against the calls the
 * operator makes).
 */
class DeployManifestsTest {

    @Test
    void defaultInstallHasEverythingTheOperatorNeeds() throws Exception {
        List<JsonNode> docs = Manifests.render("deploy");

        assertThat(docs).extracting(d -> d.path("kind").asText()).contains("CustomResourceDefinition", "Namespace",
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service",
                "MutatingWebhookConfiguration", "PodDisruptionBudget", "NetworkPolicy");
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
