package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.RepositoryPaths;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped webhook configuration keeps the promises the code relies on (never block a pod, one pass, opt-outs). */
class WebhookManifestTest {

    private static MutatingWebhook webhook() throws IOException {
        try (InputStream in = Files.newInputStream(RepositoryPaths.root().resolve("deploy/webhook/base/mutating-webhook-configuration.yaml"))) {
            MutatingWebhookConfiguration config = Serialization.unmarshal(in, MutatingWebhookConfiguration.class);
            // The name the operator patches in self-signed mode (landscape.webhook.tls.webhook-configuration-name).
            assertThat(config.getMetadata().getName()).isEqualTo("landscape-probe");
            return config.getWebhooks().get(0);
        }
    }

    @Test
    void neverBlocksAPodAndIsCalledOnlyForPodCreate() throws IOException {
        MutatingWebhook webhook = webhook();

        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
        assertThat(webhook.getSideEffects()).isEqualTo("NoneOnDryRun");
        assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
        assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(webhook.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getOperations()).containsExactly("CREATE");
            assertThat(rule.getResources()).containsExactly("pods");
        });
        assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/mutate");
    }

    @Test
    void selectorsUseTheOptOutKeysTheWebhookChecks() throws IOException {
        MutatingWebhook webhook = webhook();

        assertThat(webhook.getObjectSelector().getMatchExpressions()).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualTo(InjectionAnnotations.INJECT);
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactly("false");
        });
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualTo(InjectionAnnotations.INJECT);
            assertThat(e.getValues()).containsExactly("disabled");
        });
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(e.getValues()).contains(webhook.getClientConfig().getService().getNamespace());
        });
    }
}
