package dev.landscape.operator.webhook.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator boots in self-signed mode with no certificate on disk, and serves /mutate over HTTPS with a
 * certificate that the CA in its Secret validates — the ordering claim of {@link WebhookTlsBootstrap} (StartupEvent
 * runs before the HTTPS listener reads its files), checked rather than assumed.
 */
@QuarkusTest
@TestProfile(SelfSignedHttpsTest.SelfSigned.class)
@WithKubernetesTestServer(crud = true)
class SelfSignedHttpsTest {

    static final Path CERT_DIR = Path.of("target", "self-signed-https-test", String.valueOf(ProcessHandle.current().pid()));

    public static class SelfSigned implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String dir = CERT_DIR.toAbsolutePath().toString();
            return Map.of(
                    "landscape.webhook.tls.mode", "self-signed",
                    "landscape.webhook.tls.cert-dir", dir,
                    "quarkus.http.tls-configuration-name", "webhook",
                    "quarkus.http.test-ssl-port", "0");
        }
    }

    @Inject
    KubernetesClient client;

    @ConfigProperty(name = "quarkus.http.test-ssl-port")
    int httpsPort;

    @Test
    void mutateIsServedOverHttpsWithACertificateTheSecretsCaValidates() throws Exception {
        Secret secret = client.secrets().inNamespace(client.getNamespace()).withName("landscape-webhook-tls").get();
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(secret.getData().get("ca.crt"))));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        // The certificate names landscape-operator.<ns>.svc, not localhost: check the chain, not the host name.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/mutate"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"allowed\":true");
        SSLSession session = response.sslSession().orElseThrow();
        X509Certificate served = (X509Certificate) session.getPeerCertificates()[0];
        served.verify(ca.getPublicKey());
        assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=landscape-operator." + client.getNamespace() + ".svc");
    }
}
