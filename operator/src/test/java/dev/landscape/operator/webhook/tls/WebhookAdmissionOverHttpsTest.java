package dev.landscape.operator.webhook.tls;

import dev.landscape.apiserver.StrictApiServer;
import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.operator.testing.TestingObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The production admission path on the strict embedded API server: the MutatingWebhookConfiguration rendered from
 * deploy/ is installed before the operator starts, the operator (self-signed mode, in landscape-system as deployed)
 * patches its caBundle, and the API server calls /mutate over HTTPS at landscape-operator.landscape-system.svc,
 * verifying the certificate with that caBundle and that name. A configuration whose caBundle did not sign the
 * operator's certificate fails the pod's creation under failurePolicy Fail and lets it through unchanged under Ignore.
 */
@QuarkusTest
@TestProfile(WebhookAdmissionOverHttpsTest.DeployedTls.class)
@WithTestResource(value = StrictKubernetesServer.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = StrictKubernetesServer.WEBHOOK_CONFIGURATION, value = "true"))
class WebhookAdmissionOverHttpsTest {

    private static final String OPERATOR_NAMESPACE = "landscape-system";
    private static final String SERVICE = "landscape-operator";

    public static class DeployedTls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "landscape.webhook.tls.mode", "self-signed",
                    "landscape.webhook.operator-namespace", OPERATOR_NAMESPACE,
                    "landscape.webhook.tls.cert-dir", Path.of("target", "webhook-admission-over-https", String.valueOf(ProcessHandle.current().pid()))
                            .toAbsolutePath().toString(),
                    "quarkus.http.tls-configuration-name", "webhook",
                    "quarkus.http.test-ssl-port", "0");
        }
    }

    @Inject
    KubernetesClient client;

    @StrictKubernetesServer.Inject
    StrictApiServer server;

    @ConfigProperty(name = "quarkus.http.test-ssl-port")
    int httpsPort;

    @BeforeEach
    void serviceIsServedByThisApplication() {
        server.services().register(OPERATOR_NAMESPACE, SERVICE, 443, new InetSocketAddress(InetAddress.getLoopbackAddress(), httpsPort));
        client.resource(TestingObjects.probe(client.getNamespace(), "tls", "tls")).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.configMaps().inNamespace(client.getNamespace()).withName("landscape-probe-ca").get() != null);
    }

    @AfterEach
    void tearDown() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("wrong-ca").delete();
        TestingObjects.cleanUp(client);
    }

    private Pod trainer(String name, Map<String, String> extraLabels) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(client.getNamespace())
                .addToLabels("job", "tls").addToLabels("batch.kubernetes.io/job-completion-index", "0").addToLabels(extraLabels)
                .endMetadata()
                .withNewSpec().addNewContainer().withName("trainer").withImage("trainer:1")
                .addNewVolumeMount().withName("checkpoints").withMountPath("/ckpt").endVolumeMount().endContainer()
                .addNewVolume().withName("checkpoints").withNewEmptyDir().endEmptyDir().endVolume().endSpec().build();
    }

    @Test
    void theApiServerCallsTheWebhookOverHttpsTrustingThePatchedCaBundle() {
        MutatingWebhookConfiguration deployed = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("landscape-probe").get();
        assertThat(deployed.getWebhooks().get(0).getClientConfig().getCaBundle()).as("patched by the operator").isNotEmpty();

        Pod stored = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> client.resource(trainer("p" + System.nanoTime(), Map.of())).create(),
                        p -> p.getMetadata().getAnnotations() != null && p.getMetadata().getAnnotations().containsKey("landscape.dev/injected"));

        assertThat(stored.getMetadata().getAnnotations()).containsEntry("landscape.dev/injected", "tls");
        assertThat(stored.getSpec().getInitContainers()).extracting(c -> c.getName()).contains("landscape-probe");
    }

    @Test
    void aCaBundleThatDidNotSignTheCertificateFailsClosedUnderFail() {
        wrongCaConfiguration("Fail");

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.resource(trainer("closed", Map.of("landscape.dev/inject", "false", "wrong-ca", "yes"))).create());

        assertThat(e.getCode()).isEqualTo(500);
        assertThat(e.getStatus().getMessage()).isEqualTo("Internal error occurred: failed calling webhook \"wrong-ca.landscape.dev\":"
                + " failed to call webhook: Post \"https://landscape-operator.landscape-system.svc:443/mutate?timeout=5s\":"
                + " tls: failed to verify certificate: x509: certificate signed by unknown authority");
        assertThat(client.pods().inNamespace(client.getNamespace()).withName("closed").get()).isNull();
    }

    @Test
    void aCaBundleThatDidNotSignTheCertificateFailsOpenUnderIgnore() {
        wrongCaConfiguration("Ignore");

        Pod stored = client.resource(trainer("open", Map.of("landscape.dev/inject", "false", "wrong-ca", "yes"))).create();

        assertThat(stored.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(stored.getSpec().getInitContainers()).isEmpty();
    }

    /** The deployed webhook, but trusting another CA and only for pods labelled wrong-ca=yes (which the deployed one skips). */
    private void wrongCaConfiguration(String failurePolicy) {
        MutatingWebhookConfiguration deployed = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("landscape-probe").get();
        var other = new SelfSignedIssuer().issue(SERVICE, OPERATOR_NAMESPACE, Instant.now(), Duration.ofDays(2), Duration.ofDays(1));
        String bundle = Base64.getEncoder().encodeToString(Pem.certificate(other.ca()).getBytes(StandardCharsets.US_ASCII));
        var webhook = deployed.getWebhooks().get(0);
        webhook.setName("wrong-ca.landscape.dev");
        webhook.getClientConfig().setCaBundle(bundle);
        webhook.setFailurePolicy(failurePolicy);
        webhook.setObjectSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().addToMatchLabels("wrong-ca", "yes").build());
        client.resource(new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("wrong-ca").endMetadata()
                .withWebhooks(webhook).build()).create();
    }
}
