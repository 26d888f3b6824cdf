package dev.landscape.operator.webhook.tls;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cert-manager mode's view of the mounted Secret: the issuer's CA ({@code ca.crt}, which cert-manager writes next
 * to {@code tls.crt} for CA and self-signed issuers) to publish to the sidecars, and whether the certificate now on
 * disk may be served. cert-manager re-issues on its own schedule; when a re-issued certificate comes from a CA the
 * operator has not published before, serving it at once would strand every running sidecar, so it is served only
 * {@code ca-overlap} after that CA was first seen and published (the previous certificate is still valid:
 * cert-manager renews well before expiry).
 */
final class CertManagerFiles {

    private static final Logger LOG = Logger.getLogger(CertManagerFiles.class);

    private final Path caFile;
    private final Duration overlap;
    private final Clock clock;
    private final Map<String, Instant> firstSeen = new HashMap<>();
    private Set<String> served;
    private String lastProblem;

    CertManagerFiles(Path certDir, Duration overlap, Clock clock) {
        this.caFile = certDir.resolve(TlsMaterial.CA_CRT);
        this.overlap = overlap;
        this.clock = clock;
        this.served = fingerprints(cas());
    }

    /** The CAs in the mounted {@code ca.crt}; empty, with an error logged once, when there is none. */
    synchronized List<X509Certificate> cas() {
        String problem;
        try {
            List<X509Certificate> cas = Pem.certificates(Files.readString(caFile, StandardCharsets.US_ASCII), caFile.toString());
            lastProblem = null;
            return cas;
        } catch (NoSuchFileException e) {
            problem = caFile + " does not exist: the issuer did not give cert-manager its CA";
        } catch (IOException | IllegalArgumentException e) {
            problem = "cannot read " + caFile + ": " + e.getMessage();
        }
        if (!problem.equals(lastProblem)) {
            LOG.errorf("%s; the sidecars cannot verify the operator's certificate. Use a CA issuer as"
                    + " deploy/webhook/cert-manager does, or an issuer that fills ca.crt", problem);
            lastProblem = problem;
        }
        return List.of();
    }

    /** Whether the certificate on disk may be served now: it comes from no CA first seen less than the overlap ago. */
    synchronized boolean mayServe() {
        Instant now = clock.instant();
        Set<String> current = fingerprints(cas());
        Instant ready = Instant.MIN;
        for (String ca : current) {
            if (!served.contains(ca)) {
                Instant seen = firstSeen.computeIfAbsent(ca, k -> now);
                ready = seen.plus(overlap).isAfter(ready) ? seen.plus(overlap) : ready;
            }
        }
        if (now.isBefore(ready)) {
            LOG.infof("the mounted certificate comes from a CA first published at %s; serving it from %s, once the"
                    + " sidecars' CA files have been refreshed", ready.minus(overlap), ready);
            return false;
        }
        served = current;
        return true;
    }

    private static Set<String> fingerprints(List<X509Certificate> cas) {
        return cas.stream().map(CertManagerFiles::fingerprint).collect(Collectors.toSet());
    }

    private static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint " + certificate.getSubjectX500Principal(), e);
        }
    }
}
