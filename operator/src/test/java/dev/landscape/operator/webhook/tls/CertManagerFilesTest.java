package dev.landscape.operator.webhook.tls;

import dev.landscape.operator.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** cert-manager mode: what is published, and when a certificate from a new CA may be served. */
class CertManagerFilesTest {

    static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
    static final Duration OVERLAP = Duration.ofHours(24);

    @TempDir
    Path certDir;

    private final TestingClock clock = new TestingClock(START);

    private TlsMaterial mount(String service) throws Exception {
        TlsMaterial issued = new SelfSignedIssuer().issue(service, "landscape-system", clock.instant(), Duration.ofDays(365), Duration.ofDays(90));
        Files.writeString(certDir.resolve(TlsMaterial.TLS_CRT), issued.toPem().get(TlsMaterial.TLS_CRT));
        Files.writeString(certDir.resolve(TlsMaterial.TLS_KEY), issued.toPem().get(TlsMaterial.TLS_KEY));
        Files.writeString(certDir.resolve(TlsMaterial.CA_CRT), issued.toPem().get(TlsMaterial.CA_CRT));
        return issued;
    }

    @Test
    void theIssuersCaIsPublishedAndItsRenewedCertificatesServedAtOnce() throws Exception {
        TlsMaterial first = mount("landscape-operator");
        CertManagerFiles files = new CertManagerFiles(certDir, OVERLAP, clock);
        Files.writeString(certDir.resolve(TlsMaterial.TLS_CRT), new SelfSignedIssuer()
                .renewServing(first, "landscape-operator", "landscape-system", clock.instant(), Duration.ofDays(90)).toPem().get(TlsMaterial.TLS_CRT));

        assertThat(files.cas()).containsExactly(first.ca());
        assertThat(files.mayServe()).as("a renewal under the same CA").isTrue();
    }

    @Test
    void aCertificateFromANewCaIsServedOnlyOnceTheOverlapHasPassed() throws Exception {
        mount("landscape-operator");
        CertManagerFiles files = new CertManagerFiles(certDir, OVERLAP, clock);

        TlsMaterial rotated = mount("landscape-operator");
        assertThat(files.cas()).containsExactly(rotated.ca());
        boolean atOnce = files.mayServe();
        clock.set(START.plus(OVERLAP).minusSeconds(1));
        boolean justBefore = files.mayServe();
        clock.set(START.plus(OVERLAP));
        boolean after = files.mayServe();

        assertThat(atOnce).isFalse();
        assertThat(justBefore).isFalse();
        assertThat(after).isTrue();
    }

    @Test
    void noCaInTheSecretPublishesNothingAndDoesNotHoldBackTheCertificate() throws Exception {
        mount("landscape-operator");
        Files.delete(certDir.resolve(TlsMaterial.CA_CRT));
        CertManagerFiles files = new CertManagerFiles(certDir, OVERLAP, clock);

        assertThat(files.cas()).isEmpty();
        assertThat(files.mayServe()).isTrue();
    }
}
