package dev.landscape.probe.report;

import javax.net.ssl.SSLException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Optional;

/**
 * A delivery that failed because TLS did, told apart from "operator unreachable": the fix is different (the CA
 * bundle, the Service name, a certificate's dates), so the log says which and the metric
 * {@code landscape.reports.tls_failures} counts it by {@link #reason()}.
 *
 * @param reason  {@code untrusted}, {@code hostname}, {@code expired}, {@code ca-unavailable} or {@code handshake}
 * @param message what failed, against which CA bundle, and the JDK's own words
 */
public record TlsFailure(String reason, String message) {

    public static final String UNTRUSTED = "untrusted";
    public static final String HOSTNAME = "hostname";
    public static final String EXPIRED = "expired";
    public static final String CA_UNAVAILABLE = "ca-unavailable";
    public static final String HANDSHAKE = "handshake";

    /** No CA bundle to verify with (yet). */
    static TlsFailure caUnavailable(String why) {
        return new TlsFailure(CA_UNAVAILABLE, "no CA to verify the operator's certificate with: " + why);
    }

    /**
     * @param host  the host the sidecar dialled (the name the certificate must carry)
     * @param trust where the trusted CAs came from ({@link OperatorTrust#source()})
     * @return the TLS failure behind {@code error}, or empty when it is not one (refused, reset, timed out)
     */
    static Optional<TlsFailure> of(Throwable error, String host, String trust) {
        boolean tls = false;
        String untrusted = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            tls |= t instanceof SSLException;
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v && (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return Optional.of(new TlsFailure(EXPIRED, "TLS handshake with " + host + " failed: the operator's"
                        + " certificate or its CA is expired or not yet valid (" + root(error) + ")"));
            }
            if (t instanceof CertificateException && String.valueOf(t.getMessage()).matches("(?s).*(subject alternative|No name matching).*")) {
                return Optional.of(new TlsFailure(HOSTNAME, "TLS handshake with " + host + " failed: the operator's"
                        + " certificate does not name " + host + " (hostname verification; " + root(error) + ")"));
            }
            if (untrusted == null && (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException
                    || String.valueOf(t.getMessage()).contains("PKIX path"))) {
                untrusted = root(error);
            }
        }
        if (untrusted != null) {
            return Optional.of(new TlsFailure(UNTRUSTED, "TLS handshake with " + host + " failed: certificate not"
                    + " trusted by the CA from " + trust + " (" + untrusted + ")"));
        }
        if (tls) {
            return Optional.of(new TlsFailure(HANDSHAKE, "TLS handshake with " + host + " failed: " + root(error)));
        }
        return Optional.empty();
    }

    private static String root(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
