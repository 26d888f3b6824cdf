package dev.landscape.operator.webhook.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The self-signed CA, the serving certificate it signed and, during a CA rotation, the next CA, as stored in the
 * webhook's Secret. The CA's key is kept so that a renewed serving certificate can be signed by the same CA, and
 * the trust of the API server and of the sidecars survives a serving-certificate renewal unchanged. The next CA is
 * published to both before any certificate it signs is served ({@link SelfSignedTls}).
 *
 * @param nextCa    the CA that takes over at the end of the rotation, or null outside one
 * @param nextCaKey its key, or null
 */
public record TlsMaterial(X509Certificate ca, PrivateKey caKey, X509Certificate serving, PrivateKey servingKey,
                          X509Certificate nextCa, PrivateKey nextCaKey) {

    public static final String CA_CRT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String TLS_CRT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String NEXT_CA_CRT = "next-ca.crt";
    public static final String NEXT_CA_KEY = "next-ca.key";

    public TlsMaterial(X509Certificate ca, PrivateKey caKey, X509Certificate serving, PrivateKey servingKey) {
        this(ca, caKey, serving, servingKey, null, null);
    }

    /** The CAs the sidecars and the API server must trust now: the current one and, during a rotation, the next. */
    public List<X509Certificate> trusted() {
        List<X509Certificate> cas = new ArrayList<>(List.of(ca));
        if (nextCa != null) {
            cas.add(nextCa);
        }
        return cas;
    }

    /** Secret data (base64 is the caller's business), keys as in a {@code kubernetes.io/tls} Secret plus the CAs. */
    public Map<String, String> toPem() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TLS_CRT, Pem.certificate(serving));
        data.put(TLS_KEY, Pem.privateKey(servingKey));
        data.put(CA_CRT, Pem.certificate(ca));
        data.put(CA_KEY, Pem.privateKey(caKey));
        if (nextCa != null) {
            data.put(NEXT_CA_CRT, Pem.certificate(nextCa));
            data.put(NEXT_CA_KEY, Pem.privateKey(nextCaKey));
        }
        return data;
    }

    /** Reads what {@link #toPem()} wrote; {@code where} names the Secret in error messages. */
    public static TlsMaterial fromPem(Map<String, String> pem, String where) {
        for (String key : new String[] {TLS_CRT, TLS_KEY, CA_CRT, CA_KEY}) {
            if (pem.get(key) == null || pem.get(key).isBlank()) {
                throw new IllegalArgumentException(where + " has no data." + key);
            }
        }
        X509Certificate ca = Pem.certificates(pem.get(CA_CRT), where + " data." + CA_CRT).get(0);
        X509Certificate serving = Pem.certificates(pem.get(TLS_CRT), where + " data." + TLS_CRT).get(0);
        X509Certificate next = null;
        PrivateKey nextKey = null;
        if (pem.get(NEXT_CA_CRT) != null && !pem.get(NEXT_CA_CRT).isBlank()) {
            next = Pem.certificates(pem.get(NEXT_CA_CRT), where + " data." + NEXT_CA_CRT).get(0);
            nextKey = Pem.privateKey(pem.get(NEXT_CA_KEY), next.getPublicKey().getAlgorithm(), where + " data." + NEXT_CA_KEY);
        }
        return new TlsMaterial(ca, Pem.privateKey(pem.get(CA_KEY), ca.getPublicKey().getAlgorithm(), where + " data." + CA_KEY),
                serving, Pem.privateKey(pem.get(TLS_KEY), serving.getPublicKey().getAlgorithm(), where + " data." + TLS_KEY),
                next, nextKey);
    }

    /** Less than {@code renewBefore} left on the serving certificate or the CA. */
    public boolean needsRenewal(Instant now, Duration renewBefore) {
        Instant threshold = now.plus(renewBefore);
        return serving.getNotAfter().toInstant().isBefore(threshold) || ca.getNotAfter().toInstant().isBefore(threshold);
    }

    /** Less than {@code renewBefore} left on the CA itself: a new CA, not only a new serving certificate. */
    public boolean caNeedsRenewal(Instant now, Duration renewBefore) {
        return ca.getNotAfter().toInstant().isBefore(now.plus(renewBefore));
    }
}
