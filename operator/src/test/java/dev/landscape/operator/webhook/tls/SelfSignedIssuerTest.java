package dev.landscape.operator.webhook.tls;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelfSignedIssuerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final SelfSignedIssuer issuer = new SelfSignedIssuer();

    @Test
    void servingCertificateIsSignedByTheCaAndNamesTheService() throws Exception {
        TlsMaterial tls = issuer.issue("landscape-operator", "landscape-system", NOW, Duration.ofDays(3650), Duration.ofDays(365));

        tls.serving().verify(tls.ca().getPublicKey());
        tls.ca().verify(tls.ca().getPublicKey());
        assertThat(tls.ca().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(tls.serving().getBasicConstraints()).isEqualTo(-1);
        assertThat(tls.serving().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(dnsNames(tls.serving())).containsExactly("landscape-operator", "landscape-operator.landscape-system",
                "landscape-operator.landscape-system.svc", "landscape-operator.landscape-system.svc.cluster.local");
        assertThat(tls.serving().getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
    }

    @Test
    void pemRoundTripKeepsKeysAndCertificates() {
        TlsMaterial tls = issuer.issue("svc", "ns", NOW, Duration.ofDays(3650), Duration.ofDays(365));

        TlsMaterial read = TlsMaterial.fromPem(tls.toPem(), "test");

        assertThat(read.serving()).isEqualTo(tls.serving());
        assertThat(read.ca()).isEqualTo(tls.ca());
        assertThat(read.servingKey().getEncoded()).isEqualTo(tls.servingKey().getEncoded());
        assertThat(read.caKey().getEncoded()).isEqualTo(tls.caKey().getEncoded());
    }

    @Test
    void renewalIsDueWhenLessThanThirtyDaysRemain() {
        TlsMaterial tls = issuer.issue("svc", "ns", NOW, Duration.ofDays(3650), Duration.ofDays(365));

        assertThat(tls.needsRenewal(NOW.plus(Duration.ofDays(334)), Duration.ofDays(30))).isFalse();
        assertThat(tls.needsRenewal(NOW.plus(Duration.ofDays(336)), Duration.ofDays(30))).isTrue();
    }

    @Test
    void renewedServingCertificateKeepsTheCa() throws Exception {
        TlsMaterial tls = issuer.issue("svc", "ns", NOW, Duration.ofDays(3650), Duration.ofDays(365));

        TlsMaterial renewed = issuer.renewServing(tls, "svc", "ns", NOW.plus(Duration.ofDays(340)), Duration.ofDays(365));

        assertThat(renewed.ca()).isEqualTo(tls.ca());
        assertThat(renewed.serving()).isNotEqualTo(tls.serving());
        renewed.serving().verify(tls.ca().getPublicKey());
    }

    @Test
    void secretWithoutAKeySaysWhichKeyIsMissing() {
        var pem = new java.util.LinkedHashMap<>(issuer.issue("svc", "ns", NOW, Duration.ofDays(10), Duration.ofDays(5)).toPem());
        pem.remove(TlsMaterial.CA_KEY);

        assertThatThrownBy(() -> TlsMaterial.fromPem(pem, "Secret ns/webhook-tls"))
                .hasMessage("Secret ns/webhook-tls has no data.ca.key");
    }

    private static List<String> dnsNames(X509Certificate cert) throws Exception {
        return cert.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == 2).map(n -> (String) n.get(1)).toList();
    }
}
