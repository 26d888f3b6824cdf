package dev.landscape.apiserver.admission;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * POSTs an AdmissionReview to a webhook as kube-apiserver does: HTTPS to the address the Service resolves to, but the
 * server certificate verified against the webhook's {@code caBundle} (the JVM's trust store when it is empty) and
 * against the URL's host name, {@code <service>.<namespace>.svc}, sent as SNI. Failures are described in the words
 * Go's TLS stack and HTTP client use, since kube-apiserver puts those words in the error a user sees.
 */
final class WebhookClient {

    /** A transport failure, in Go's wording (e.g. {@code tls: failed to verify certificate: x509: ...}). */
    static final class CallFailure extends Exception {
        CallFailure(String message) {
            super(message);
        }
    }

    record Response(int code, byte[] body) {
    }

    private WebhookClient() {
    }

    /**
     * @param url       the webhook URL as kube-apiserver would call it (its host is the name the certificate must carry)
     * @param connectTo where that host's port is served here
     * @param caBundle  PEM certificates to trust, or null/empty for the JVM's trust store
     */
    static Response post(URI url, InetSocketAddress connectTo, byte[] caBundle, byte[] body, Duration timeout) throws CallFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        String host = url.getHost();
        try (Socket plain = new Socket()) {
            try {
                plain.connect(connectTo, (int) Math.max(1, remainingMillis(deadline)));
            } catch (SocketTimeoutException e) {
                throw new CallFailure("context deadline exceeded");
            } catch (ConnectException e) {
                throw new CallFailure("dial tcp " + connectTo.getAddress().getHostAddress() + ":" + connectTo.getPort()
                        + ": connect: connection refused");
            }
            plain.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
            SSLSocket tls = (SSLSocket) context(caBundle, host).getSocketFactory().createSocket(plain, host, url.getPort() < 0 ? 443 : url.getPort(), false);
            SSLParameters params = tls.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(host)));
            params.setApplicationProtocols(new String[] {"http/1.1"});
            tls.setSSLParameters(params);
            try {
                tls.startHandshake();
            } catch (IOException e) {
                throw new CallFailure(handshakeFailure(e));
            }
            String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            OutputStream out = tls.getOutputStream();
            out.write(("POST " + target + " HTTP/1.1\r\nHost: " + host + ":" + (url.getPort() < 0 ? 443 : url.getPort())
                    + "\r\nContent-Type: application/json\r\nAccept: application/json, */*\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            tls.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
            return read(tls.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new CallFailure("context deadline exceeded");
        } catch (IOException e) {
            throw new CallFailure(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static long remainingMillis(long deadline) throws CallFailure {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new CallFailure("context deadline exceeded");
        }
        return left;
    }

    private static SSLContext context(byte[] caBundle, String host) throws CallFailure {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caBundle == null || caBundle.length == 0) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(caBundle));
                if (certs.isEmpty()) {
                    throw new CallFailure("could not get REST client: unable to load root certificates: unable to parse bytes as PEM block");
                }
                int i = 0;
                for (var c : certs) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
                tmf.init(store);
            }
            X509TrustManager pkix = (X509TrustManager) tmf.getTrustManagers()[0];
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new HostChecking(pkix, host)}, null);
            return ctx;
        } catch (CertificateException e) {
            throw new CallFailure("could not get REST client: unable to load root certificates: unable to parse bytes as PEM block");
        } catch (GeneralSecurityException | IOException e) {
            throw new CallFailure("could not get REST client: " + e.getMessage());
        }
    }

    private static String handshakeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GoCertificateException g) {
                return "tls: failed to verify certificate: " + g.getMessage();
            }
        }
        return "remote error: " + (e.getMessage() == null ? e.toString() : e.getMessage());
    }

    /** The trust check with Go's messages: chain to the bundle, then the name, Subject Alternative Names only. */
    private record HostChecking(X509TrustManager pkix, String host) implements X509TrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                pkix.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                        throw new GoCertificateException("x509: certificate has expired or is not yet valid: current time "
                                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                                + " is after " + chain[0].getNotAfter().toInstant());
                    }
                }
                throw new GoCertificateException("x509: certificate signed by unknown authority");
            }
            List<String> names = new ArrayList<>();
            Collection<List<?>> sans = chain[0].getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
            if (names.isEmpty()) {
                throw new GoCertificateException("x509: certificate relies on legacy Common Name field, use SANs instead");
            }
            for (String n : names) {
                if (matches(n, host)) {
                    return;
                }
            }
            throw new GoCertificateException("x509: certificate is valid for " + String.join(", ", names) + ", not " + host);
        }

        private static boolean matches(String pattern, String host) {
            String p = pattern.toLowerCase(Locale.ROOT);
            String h = host.toLowerCase(Locale.ROOT);
            if (p.startsWith("*.")) {
                int dot = h.indexOf('.');
                return dot > 0 && h.substring(dot).equals(p.substring(1));
            }
            return p.equals(h);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the API server does not accept client certificates here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    private static final class GoCertificateException extends CertificateException {
        GoCertificateException(String message) {
            super(message);
        }
    }

    private static Response read(InputStream in) throws IOException, CallFailure {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new CallFailure("malformed HTTP response " + com.fasterxml.jackson.databind.node.TextNode.valueOf(status));
        }
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else {
            in.transferTo(body);
        }
        return new Response(code, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
