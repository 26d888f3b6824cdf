package dev.landscape.operator.ingest;

import dev.landscape.operator.testing.SelfSignedTlsProfile;
import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.operator.testing.TestingServiceProxy;
import io.fabric8.kubernetes.api.model.Secret;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Self-signed mode (deploy/'s default): the operator's own CA, from its Secret, reaches the pod and is all it trusts.
 * The operator boots with no certificate on disk and serves HTTPS with one its Secret's CA validates — the ordering
 * claim of {@code WebhookTlsBootstrap} (StartupEvent runs before the HTTPS listener reads its files), checked here.
 */
@QuarkusTest
@TestProfile(SelfSignedTlsProfile.class)
@WithTestResource(StrictKubernetesServer.class)
class SelfSignedDeliveryOverTlsTest extends SidecarDeliveryOverTls {

    private X509Certificate secretCa() throws Exception {
        Secret secret = client.secrets().inNamespace(SelfSignedTlsProfile.OPERATOR_NAMESPACE).withName("landscape-webhook-tls").get();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(secret.getData().get("ca.crt"))));
    }

    @Test
    void thePublishedBundleIsTheCaInTheOperatorsSecret() throws Exception {
        X509Certificate ca = secretCa();
        List<Certificate> published = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(publishedBundle().getBytes(StandardCharsets.US_ASCII))));

        assertThat(published).containsExactly(ca);
    }

    @Test
    void mutateIsServedOverHttpsUnderTheServiceNameWithACertificateTheSecretsCaValidates() throws Exception {
        X509Certificate ca = secretCa();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trustManagers.getTrustManagers(), null);
        String service = "landscape-operator." + SelfSignedTlsProfile.OPERATOR_NAMESPACE + ".svc";

        HttpResponse<String> answer;
        try (TestingServiceProxy proxy = new TestingServiceProxy(service, httpsPort)) {
            answer = HttpClient.newBuilder().sslContext(ssl).build().send(HttpRequest.newBuilder(URI.create("https://" + service + "/mutate"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"allowed\":true");
        X509Certificate served = (X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0];
        served.verify(ca.getPublicKey());
        assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=" + service);
    }
}
