package dev.landscape.operator.webhook.tls;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CA bundle the sidecars (and, in self-signed mode, the API server) trust: the CAs that must be trusted now,
 * followed by every CA published before that has not expired. Keeping the earlier CAs is what makes a rotation
 * safe in the other direction too: a pod that receives the bundle after a rotation can still talk to a replica that
 * has not reloaded its certificate yet. Pure.
 */
public final class TrustBundle {

    private TrustBundle() {
    }

    /**
     * @param required  the CAs that must be in the bundle, first and in this order
     * @param published the bundle published so far (PEM, possibly empty or null); unreadable blocks are dropped
     * @return the new bundle as PEM
     */
    public static String merge(List<X509Certificate> required, String published, Instant now) {
        List<X509Certificate> bundle = new ArrayList<>(required);
        for (X509Certificate earlier : readable(published)) {
            if (earlier.getNotAfter().toInstant().isAfter(now) && bundle.stream().noneMatch(c -> same(c, earlier))) {
                bundle.add(earlier);
            }
        }
        StringBuilder pem = new StringBuilder();
        bundle.forEach(c -> pem.append(Pem.certificate(c)));
        return pem.toString();
    }

    private static List<X509Certificate> readable(String pem) {
        if (pem == null || pem.isBlank()) {
            return List.of();
        }
        try {
            return Pem.certificates(pem, "the published CA bundle");
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static boolean same(X509Certificate a, X509Certificate b) {
        try {
            return Arrays.equals(a.getEncoded(), b.getEncoded());
        } catch (CertificateEncodingException e) {
            return false;
        }
    }
}
