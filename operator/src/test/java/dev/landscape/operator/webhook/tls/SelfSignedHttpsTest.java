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

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
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
public class SelfSignedHttpsTest {

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
        // The certificate names landscape-operator.<ns>.svc, not localhost: accept exactly that name for this connection
        // (a per-connection verifier; the JDK HttpClient's global switch is read once per JVM and other tests run first).
        String service = "landscape-operator." + client.getNamespace() + ".svc";
        HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://localhost:" + httpsPort + "/mutate").toURL().openConnection();
        connection.setSSLSocketFactory(ssl.getSocketFactory());
        connection.setHostnameVerifier((host, session) -> {
            try {
                return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectAlternativeNames().stream()
                        .anyMatch(san -> service.equals(san.get(1)));
            } catch (Exception e) {
                return false;
            }
        });
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.getOutputStream().write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(connection.getResponseCode()).isEqualTo(200);
        assertThat(new String(connection.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"allowed\":true");
        X509Certificate served = (X509Certificate) connection.getServerCertificates()[0];
        served.verify(ca.getPublicKey());
        assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=landscape-operator." + client.getNamespace() + ".svc");
    }
}
