package dev.landscape.operator.webhook.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The self-signed mode against the Fabric8 mock API server in CRUD mode: Secret, caBundle patch, renewal. */
@EnableKubernetesMockClient(crud = true)
class SelfSignedTlsTest {

    static final String NS = "landscape-system";
    static final String CONFIG = "landscape-probe";
    static final Instant START = Instant.parse("2026-11-22T12:00:00Z");

    KubernetesClient client;

    @TempDir
    Path certDir;

    @BeforeEach
    void applyWebhookConfiguration() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIG).endMetadata()
                .addNewWebhook().withName("inject.landscape.dev").withAdmissionReviewVersions("v1")
                .withSideEffects("NoneOnDryRun").withFailurePolicy("Ignore").withTimeoutSeconds(5)
                .withNewClientConfig().withNewService().withName("landscape-operator").withNamespace(NS).withPath("/mutate")
                .withPort(443).endService().endClientConfig()
                .endWebhook().build()).create();
    }

    private SelfSignedTls tls(Instant now) {
        return new SelfSignedTls(new TlsSecretStore(client, NS, "landscape-webhook-tls"), new CaBundlePatcher(client),
                new SelfSignedIssuer(), new SelfSignedTls.Settings("landscape-operator", NS, CONFIG, certDir,
                Duration.ofDays(3650), Duration.ofDays(365), Duration.ofDays(30)), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void firstPassCreatesSecretWritesFilesAndPatchesCaBundle() throws Exception {
        TlsMaterial material = tls(START).reconcile();

        Secret secret = client.secrets().inNamespace(NS).withName("landscape-webhook-tls").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
        assertThat(caBundle()).isEqualTo(Pem.certificate(material.ca()));
        assertThat(Files.readString(certDir.resolve("tls.crt"))).isEqualTo(Pem.certificate(material.serving()));
        assertThat(Files.readString(certDir.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(webhookConfiguration().getWebhooks()).singleElement()
                .satisfies(w -> assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/mutate"));
    }

    @Test
    void secondPassReusesTheSecretAndLeavesTheConfigurationAlone() {
        TlsMaterial first = tls(START).reconcile();
        String version = webhookConfiguration().getMetadata().getResourceVersion();

        TlsMaterial second = tls(START.plus(Duration.ofDays(1))).reconcile();

        assertThat(second.serving()).isEqualTo(first.serving());
        assertThat(webhookConfiguration().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void servingCertificateIsRenewedUnderThirtyDaysWithTheSameCa() {
        TlsMaterial first = tls(START).reconcile();

        TlsMaterial renewed = tls(START.plus(Duration.ofDays(340))).reconcile();

        assertThat(renewed.serving()).isNotEqualTo(first.serving());
        assertThat(renewed.ca()).isEqualTo(first.ca());
        assertThat(caBundle()).isEqualTo(Pem.certificate(first.ca()));
        assertThat(TlsMaterial.fromPem(secretPem(), "secret").serving()).isEqualTo(renewed.serving());
    }

    @Test
    void caNearItsEndIsReplacedAndTheBundleFollows() {
        TlsMaterial first = tls(START).reconcile();

        TlsMaterial renewed = tls(START.plus(Duration.ofDays(3630))).reconcile();

        assertThat(renewed.ca()).isNotEqualTo(first.ca());
        assertThat(caBundle()).isEqualTo(Pem.certificate(renewed.ca()));
    }

    private MutatingWebhookConfiguration webhookConfiguration() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIG).get();
    }

    private String caBundle() {
        return new String(Base64.getDecoder().decode(webhookConfiguration().getWebhooks().get(0).getClientConfig().getCaBundle()),
                StandardCharsets.US_ASCII);
    }

    private java.util.Map<String, String> secretPem() {
        var pem = new java.util.LinkedHashMap<String, String>();
        client.secrets().inNamespace(NS).withName("landscape-webhook-tls").get().getData()
                .forEach((k, v) -> pem.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII)));
        return pem;
    }
}
