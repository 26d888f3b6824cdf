package dev.landscape.operator.webhook;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop HTTP/1.1 load generator for {@link WebhookLatencyBench}, run as its own JVM so that the client's threads,
 * allocation and JIT do not share the server's heap, safepoints and compiler queue. JDK only, so it starts from
 * {@code target/test-classes} alone.
 *
 * <p>Request {@code i} is due at {@code start + i / rate}, whatever happened to the earlier ones; latency is taken from
 * that due time to the last byte of the response, so a stall anywhere (server, network, or a client thread that was
 * not scheduled in time) shows up in the percentiles instead of slowing the generator down (no coordinated omission,
 * as wrk2 measures). Keep-alive connections as the API server keeps them: each worker owns one connection and takes
 * the next due request when it is free, so a slow answer delays only what is queued behind it on every connection.
 * Besides the latency it records how late each request actually left the client ({@code sendLag}), which tells
 * client-side scheduling delay from server time.
 *
 * <p>Arguments ({@code key=value}): {@code port}, {@code path} ({@code /mutate}), {@code body} (file), {@code rate} (per second), {@code seconds},
 * {@code warmup} (closed-loop requests before timing), {@code connections}, {@code expect} (a string every answer
 * must contain to count as {@code matched}), {@code out} (per-request CSV), {@code ca} (a PEM CA certificate: speak
 * TLS, trusting only that CA, as the API server does with the webhook's caBundle; each connection's handshake happens
 * once, before timing, as on the API server's keep-alive connections). Prints {@code MEASURING} when the
 * warm-up is over, then one {@code LOAD ...} line with the figures; with {@code seconds=0} it only warms up and
 * prints {@code WARMED ...}.
 */
public final class AdmissionLoadGenerator {

    private final int port;
    private final SSLSocketFactory tls;
    private final byte[] request;
    private final byte[] expect;

    private AdmissionLoadGenerator(int port, SSLSocketFactory tls, String path, byte[] body, String expect) {
        this.port = port;
        this.tls = tls;
        this.expect = expect.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nContent-Type: application/json\r\n"
                + "Accept: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        SSLSocketFactory tls = a.containsKey("ca") ? trusting(Path.of(a.get("ca"))) : null;
        AdmissionLoadGenerator generator = new AdmissionLoadGenerator(Integer.parseInt(a.get("port")), tls, a.getOrDefault("path", "/mutate"),
                Files.readAllBytes(Path.of(a.get("body"))), a.getOrDefault("expect", ""));
        int rate = Integer.parseInt(a.getOrDefault("rate", "200"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "10000"));
        int connections = Integer.parseInt(a.getOrDefault("connections", "8"));
        System.out.println(generator.run(rate, seconds, warmup, connections, a.get("out")));
    }

    /** TLS that trusts exactly the CA in {@code caPem}. */
    private static SSLSocketFactory trusting(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private String run(int rate, int seconds, int warmup, int connections, String out) throws Exception {
        Connection[] pool = new Connection[connections];
        for (int c = 0; c < connections; c++) {
            pool[c] = new Connection(port, tls);
        }
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            pool[i % connections].exchange(request);
        }
        double warmupSeconds = (System.nanoTime() - warmStart) / 1e9;
        if (seconds == 0) {
            return String.format(Locale.ROOT, "WARMED %d requests in %.1fs", warmup, warmupSeconds);
        }
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.println("MEASURING load " + loadBefore);
        System.out.flush();

        int total = rate * seconds;
        long interval = 1_000_000_000L / rate;
        long[] latency = new long[total];
        long[] sendLag = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger matched = new AtomicInteger();
        long start = System.nanoTime() + 10_000_000L;
        long wallStart = System.currentTimeMillis() + 10;
        Thread[] workers = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            Connection connection = pool[c];
            workers[c] = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long due = start + i * interval;
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    long sent = System.nanoTime();
                    try {
                        int status = connection.exchange(request);
                        if (status != 200) {
                            errors.incrementAndGet();
                        } else if (connection.bodyContains(expect)) {
                            matched.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        connection.reopen();
                    }
                    latency[i] = System.nanoTime() - due;
                    sendLag[i] = sent - due;
                }
            }, "load-" + c);
            workers[c].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Connection connection : pool) {
            connection.close();
        }
        if (out != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out)))) {
                w.println("# wall-clock start (epoch ms) " + wallStart + ", interval " + interval + " ns");
                w.println("index,due_ms,latency_us,send_lag_us");
                for (int i = 0; i < total; i++) {
                    w.printf(Locale.ROOT, "%d,%.3f,%d,%d%n", i, i * interval / 1e6, latency[i] / 1000, sendLag[i] / 1000);
                }
            }
        }
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        long[] lag = sendLag.clone();
        Arrays.sort(lag);
        return String.format(Locale.ROOT, "LOAD rate=%d/s duration=%ds (sent in %.1fs) requests=%d errors=%d matched=%d"
                        + " p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms send-lag p99=%.2fms max=%.2fms"
                        + " connections=%d warmup=%d requests in %.0fs load-before=[%s] load-after=[%s]",
                rate, seconds, elapsed, total, errors.get(), matched.get(),
                ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 0.999), ms(sorted, 1.0),
                ms(lag, 0.99), ms(lag, 1.0), connections, warmup, warmupSeconds, loadBefore,
                Files.readString(Path.of("/proc/loadavg")).trim());
    }

    static double ms(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
        return sorted[index] / 1e6;
    }

    /** One keep-alive HTTP/1.1 connection; reads whole responses (Content-Length or chunked). */
    private static final class Connection {
        private final int port;
        private final SSLSocketFactory tls;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private byte[] buf = new byte[64 * 1024];
        private int bodyStart;
        private int bodyEnd;

        Connection(int port, SSLSocketFactory tls) throws IOException {
            this.port = port;
            this.tls = tls;
            open();
        }

        private void open() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.createSocket(socket, "localhost", port, true);
                secure.startHandshake();
                socket = secure;
            }
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void reopen() {
            close();
            try {
                open();
            } catch (IOException e) {
                throw new IllegalStateException("cannot reconnect to port " + port, e);
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        /** Sends the request and reads the full response; returns the status code. */
        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            int filled = 0;
            int headerEnd;
            while ((headerEnd = indexOf(buf, 0, filled, HEADER_END)) < 0) {
                filled = fill(filled);
            }
            String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            bodyStart = headerEnd + 4;
            int cl = lower.indexOf("\r\ncontent-length:");
            if (cl >= 0) {
                int eol = lower.indexOf("\r\n", cl + 2);
                int length = Integer.parseInt(lower.substring(cl + 17, eol < 0 ? lower.length() : eol).trim());
                bodyEnd = bodyStart + length;
                while (filled < bodyEnd) {
                    filled = fill(filled);
                }
            } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                // Read until the terminating zero-length chunk; the body check then sees the chunk framing too.
                while (indexOf(buf, bodyStart - 2, filled, LAST_CHUNK) < 0) {
                    filled = fill(filled);
                }
                bodyEnd = filled;
            } else {
                throw new IOException("response without Content-Length or chunked encoding: " + head);
            }
            return status;
        }

        boolean bodyContains(byte[] expected) {
            return indexOf(buf, bodyStart, bodyEnd, expected) >= 0;
        }

        private int fill(int filled) throws IOException {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                throw new IOException("connection closed by the server");
            }
            return filled + n;
        }

        private static int indexOf(byte[] data, int from, int to, byte[] n) {
            outer:
            for (int i = from; i + n.length <= to; i++) {
                for (int j = 0; j < n.length; j++) {
                    if (data[i + j] != n[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
