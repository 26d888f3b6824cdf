package dev.landscape.operator.webhook.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Issues the webhook's CA and serving certificate when cert-manager is not installed. ECDSA P-256 (fast to generate,
 * accepted by every supported API server), SHA-256; the serving certificate names the Service in all the forms the
 * API server may dial ({@code svc}, {@code svc.ns}, {@code svc.ns.svc}, {@code svc.ns.svc.cluster.local}).
 */
public final class SelfSignedIssuer {

    private static final String SIGNATURE = "SHA256withECDSA";
    /** Certificates are valid from this long before they are issued, for clocks running a little behind. */
    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final java.time.format.DateTimeFormatter STAMP =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);
    private final SecureRandom random = new SecureRandom();

    /** A new CA and a serving certificate for {@code service.namespace.svc}. */
    public TlsMaterial issue(String service, String namespace, Instant now, Duration caValidity, Duration certValidity) {
        TlsMaterial ca = issueCa(service, namespace, now, caValidity);
        return renewServing(ca, service, namespace, now, certValidity);
    }

    /**
     * A new CA alone, as a material whose serving certificate is still to be issued (it holds the CA in its place).
     * Each CA's name carries its issue time: during a rotation two CAs are trusted at once, and distinct names keep
     * every client's path building unambiguous.
     */
    public TlsMaterial issueCa(String service, String namespace, Instant now, Duration caValidity) {
        KeyPair caKeys = keyPair();
        X500Name caName = new X500Name("CN=" + service + "." + namespace + " webhook CA " + STAMP.format(now) + ",O=landscape.dev");
        X509Certificate ca = sign(caName, caName, caKeys.getPublic(), caKeys, now, caValidity, true, List.of());
        return new TlsMaterial(ca, caKeys.getPrivate(), ca, caKeys.getPrivate());
    }

    /** A new serving certificate signed by the existing CA of {@code current}; the trusted CAs stay as they are. */
    public TlsMaterial renewServing(TlsMaterial current, String service, String namespace, Instant now, Duration certValidity) {
        KeyPair servingKeys = keyPair();
        String dns = service + "." + namespace + ".svc";
        X509Certificate serving = sign(new X500Name("CN=" + dns), X500Name.getInstance(
                        current.ca().getSubjectX500Principal().getEncoded()), servingKeys.getPublic(),
                new KeyPair(current.ca().getPublicKey(), current.caKey()), now, certValidity, false,
                List.of(service, service + "." + namespace, dns, dns + ".cluster.local"));
        return new TlsMaterial(current.ca(), current.caKey(), serving, servingKeys.getPrivate(), current.nextCa(), current.nextCaKey());
    }

    private X509Certificate sign(X500Name subject, X500Name issuer, PublicKey subjectKey, KeyPair issuerKeys,
                                 Instant now, Duration validity, boolean ca, List<String> dnsNames) {
        try {
            Instant notBefore = now.minus(BACKDATE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(now.plus(validity)), subject, subjectKey);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKey));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        extensions.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
                        .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            }
            PrivateKey signingKey = issuerKeys.getPrivate();
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signingKey)));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue the webhook certificate " + subject + ": " + e.getMessage(), e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate EC P-256 keys: " + e.getMessage(), e);
        }
    }
}
