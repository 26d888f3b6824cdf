package dev.landscape.probe.report;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The certificates the sidecar accepts from the operator, and the HTTP client that accepts exactly those. With a CA
 * file, a PKIX trust manager over that bundle and nothing else; the JDK client always checks that the certificate
 * names the URL's host, so hostname verification stays on.
 *
 * <p>The file is read again before every delivery attempt, and the client rebuilt when its bytes changed: the kubelet
 * refreshes the projected ConfigMap a minute or two after the operator adds a new CA to it, and a pod created before
 * a CA rotation has to trust the new CA without a restart (the operator keeps serving with the old CA until the new
 * one has had time to arrive). A file that breaks after a good read keeps the last good bundle, with a warning.
 */
public final class OperatorTrust {

    private static final Logger LOG = Logger.getLogger(OperatorTrust.class.getName());

    /** No bundle to verify the operator with yet: the file is missing, empty or holds no certificate. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Path caFile;
    private final Duration connectTimeout;
    private byte[] loaded;
    private HttpClient client;
    private String source;

    private OperatorTrust(Path caFile, Duration connectTimeout) {
        this.caFile = caFile;
        this.connectTimeout = connectTimeout;
        if (caFile == null) {
            this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
            this.source = "the JVM's default trust store";
        }
    }

    /** Trust exactly the CAs in {@code caFile} when given, else the JVM's default trust store. */
    public static OperatorTrust of(Optional<Path> caFile, Duration connectTimeout) {
        return new OperatorTrust(caFile.orElse(null), connectTimeout);
    }

    /** The client to send with now, rebuilt if the CA file changed since the last call. */
    public synchronized HttpClient client() throws Unavailable {
        if (caFile == null) {
            return client;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(caFile);
        } catch (NoSuchFileException e) {
            return lastGoodOr("the CA file " + caFile + " does not exist (yet): it is projected from the ConfigMap the"
                    + " operator publishes in this namespace");
        } catch (IOException e) {
            return lastGoodOr("the CA file " + caFile + " cannot be read: " + e.getMessage());
        }
        if (loaded != null && Arrays.equals(bytes, loaded)) {
            return client;
        }
        List<X509Certificate> cas;
        try {
            cas = parse(bytes);
        } catch (CertificateException e) {
            return lastGoodOr("the CA file " + caFile + " is not a PEM certificate bundle: " + e.getMessage());
        }
        if (cas.isEmpty()) {
            return lastGoodOr("the CA file " + caFile + " holds no certificate");
        }
        boolean rotated = loaded != null;
        client = HttpClient.newBuilder().connectTimeout(connectTimeout).sslContext(sslContext(cas)).build();
        loaded = bytes;
        source = caFile + " (" + cas.stream().map(c -> c.getSubjectX500Principal().getName()).collect(Collectors.joining("; ")) + ")";
        LOG.log(Level.INFO, "{0} the operator''s certificate against {1} CA(s) from {2}",
                new Object[] {rotated ? "now verifying" : "verifying", cas.size(), source});
        return client;
    }

    /** Where the trusted CAs come from, for messages: the file and the subjects it held at the last read. */
    public synchronized String source() {
        return source != null ? source : String.valueOf(caFile);
    }

    private HttpClient lastGoodOr(String problem) throws Unavailable {
        if (client == null) {
            throw new Unavailable(problem);
        }
        LOG.log(Level.WARNING, "{0}; keeping the CA bundle read before from {1}", new Object[] {problem, source});
        return client;
    }

    private static List<X509Certificate> parse(byte[] pem) throws CertificateException {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).stream()
                .map(X509Certificate.class::cast).toList();
    }

    private static SSLContext sslContext(List<X509Certificate> cas) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("this JVM cannot build a TLS context from a CA bundle: " + e.getMessage(), e);
        }
    }
}
