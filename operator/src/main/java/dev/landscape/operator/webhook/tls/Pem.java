package dev.landscape.operator.webhook.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM in and out with the JDK alone: certificates as {@code CERTIFICATE}, keys as PKCS#8 {@code PRIVATE KEY} (the
 * form Vert.x, Go's crypto/tls and kubectl all read), so the Secret works for any consumer.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private Pem() {
    }

    static String certificate(X509Certificate cert) {
        try {
            return block("CERTIFICATE", cert.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
        }
    }

    static String privateKey(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    static List<X509Certificate> certificates(String pem, String where) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(pem, "CERTIFICATE")) {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(where + " holds a certificate that cannot be parsed: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(where + " holds no PEM CERTIFICATE block");
        }
        return certs;
    }

    static PrivateKey privateKey(String pem, String algorithm, String where) {
        List<byte[]> der = blocks(pem, "PRIVATE KEY");
        if (der.size() != 1) {
            throw new IllegalArgumentException(where + " must hold exactly one PKCS#8 PRIVATE KEY block, found " + der.size());
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der.get(0)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(where + " holds a key that is not a PKCS#8 " + algorithm + " key: " + e.getMessage(), e);
        }
    }

    private static List<byte[]> blocks(String pem, String type) {
        List<byte[]> result = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem == null ? "" : pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                result.add(Base64.getMimeDecoder().decode(m.group(2).getBytes(StandardCharsets.US_ASCII)));
            }
        }
        return result;
    }

    private static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
