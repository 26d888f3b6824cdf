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

/**
 * The self-signed mode against the Fabric8 mock API server in CRUD mode: Secret, caBundle patch, the CA bundle
 * published for the sidecars, renewal and CA rotation with an overlap.
 */
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

    static final String PROBE_NS = "ml-team";
    static final Duration OVERLAP = Duration.ofDays(1);

    private SelfSignedTls tls(Instant now) {
        return new SelfSignedTls(new TlsSecretStore(client, NS, "landscape-webhook-tls"), new CaBundlePatcher(client),
                new SelfSignedIssuer(), new SelfSignedTls.Settings("landscape-operator", NS, CONFIG, certDir,
                Duration.ofDays(3650), Duration.ofDays(365), Duration.ofDays(30), OVERLAP), Clock.fixed(now, ZoneOffset.UTC));
    }

    /** One pass as the operator runs it: the bundle is recorded and published to a probe namespace. */
    private TlsMaterial pass(Instant now) {
        CaBundlePublisher publisher = new CaBundlePublisher(client, NS, "landscape-probe-ca");
        return tls(now).reconcile(cas -> {
            String bundle = publisher.record(cas, now);
            publisher.publish(PROBE_NS, bundle);
            return bundle;
        });
    }

    @Test
    void firstPassCreatesSecretWritesFilesAndPatchesCaBundle() throws Exception {
        TlsMaterial material = pass(START);

        Secret secret = client.secrets().inNamespace(NS).withName("landscape-webhook-tls").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
        assertThat(caBundle()).isEqualTo(Pem.certificate(material.ca()));
        assertThat(publishedBundle(PROBE_NS)).as("the sidecars' CA file").isEqualTo(Pem.certificate(material.ca()));
        assertThat(publishedBundle(NS)).isEqualTo(Pem.certificate(material.ca()));
        assertThat(Files.readString(certDir.resolve("tls.crt"))).isEqualTo(Pem.certificate(material.serving()));
        assertThat(Files.readString(certDir.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(webhookConfiguration().getWebhooks()).singleElement()
                .satisfies(w -> assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/mutate"));
    }

    @Test
    void secondPassReusesTheSecretAndLeavesTheConfigurationAlone() {
        TlsMaterial first = pass(START);
        String version = webhookConfiguration().getMetadata().getResourceVersion();

        TlsMaterial second = pass(START.plus(Duration.ofDays(1)));

        assertThat(second.serving()).isEqualTo(first.serving());
        assertThat(webhookConfiguration().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void servingCertificateIsRenewedUnderThirtyDaysWithTheSameCa() {
        TlsMaterial first = pass(START);

        TlsMaterial renewed = pass(START.plus(Duration.ofDays(340)));

        assertThat(renewed.serving()).isNotEqualTo(first.serving());
        assertThat(renewed.ca()).isEqualTo(first.ca());
        assertThat(caBundle()).isEqualTo(Pem.certificate(first.ca()));
        assertThat(TlsMaterial.fromPem(secretPem(), "secret").serving()).isEqualTo(renewed.serving());
    }

    @Test
    void aCaRotationPublishesTheNextCaForTheOverlapBeforeItSignsAndKeepsTheOldOneUntilItExpires() throws Exception {
        TlsMaterial first = pass(START);
        Instant rotation = first.ca().getNotAfter().toInstant().minus(Duration.ofDays(30 + 365)).minus(OVERLAP).plus(Duration.ofHours(1));

        TlsMaterial published = pass(rotation);
        TlsMaterial halfway = pass(rotation.plus(OVERLAP.dividedBy(2)));
        String bundleBeforeTheSwitch = publishedBundle(PROBE_NS);
        TlsMaterial promoted = pass(rotation.plus(OVERLAP).plus(Duration.ofMinutes(1)));

        assertThat(published.ca()).isEqualTo(first.ca());
        assertThat(published.nextCa()).isNotNull().isNotEqualTo(first.ca());
        assertThat(halfway.serving().getIssuerX500Principal()).as("still signed by the current CA during the overlap")
                .isEqualTo(first.ca().getSubjectX500Principal());
        assertThat(bundleBeforeTheSwitch).as("a pod refreshed during the overlap has both CAs")
                .isEqualTo(Pem.certificate(first.ca()) + Pem.certificate(published.nextCa()));
        assertThat(caBundle()).isEqualTo(Pem.certificate(promoted.ca()) + Pem.certificate(first.ca()));
        assertThat(promoted.ca()).isEqualTo(published.nextCa());
        assertThat(promoted.nextCa()).isNull();
        promoted.serving().verify(published.nextCa().getPublicKey());
        assertThat(publishedBundle(PROBE_NS)).as("the retired CA stays trusted until it expires, for replicas not yet reloaded")
                .isEqualTo(Pem.certificate(promoted.ca()) + Pem.certificate(first.ca()));
        assertThat(Files.readString(certDir.resolve("tls.crt"))).isEqualTo(Pem.certificate(promoted.serving()));
    }

    @Test
    void aCaTooCloseToItsEndForAnOverlapIsReplacedAtOnceAndTheOldOneStaysPublished() {
        TlsMaterial first = pass(START);

        TlsMaterial renewed = pass(START.plus(Duration.ofDays(3630)));

        assertThat(renewed.ca()).isNotEqualTo(first.ca());
        assertThat(caBundle()).isEqualTo(Pem.certificate(renewed.ca()) + Pem.certificate(first.ca()));
        assertThat(publishedBundle(PROBE_NS)).isEqualTo(Pem.certificate(renewed.ca()) + Pem.certificate(first.ca()));
    }

    @Test
    void aCaPastItsExpiryLeavesThePublishedBundle() {
        TlsMaterial first = pass(START);
        pass(START.plus(Duration.ofDays(3630)));

        TlsMaterial later = pass(first.ca().getNotAfter().toInstant().plus(Duration.ofDays(1)));

        assertThat(publishedBundle(PROBE_NS)).isEqualTo(Pem.certificate(later.ca()));
    }

    private String publishedBundle(String namespace) {
        return client.configMaps().inNamespace(namespace).withName("landscape-probe-ca").get().getData().get("ca.crt");
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
