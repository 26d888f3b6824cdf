package dev.landscape.probe.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.landscape.contract.CheckpointReport;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A real HTTP(S) receiver on loopback that plays the operator's report endpoint: it records what it accepted and
 * answers scripted status codes first (e.g. 429, then 200).
 */
final class TestingReceiver implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final List<CheckpointReport> accepted = new ArrayList<>();
    private final List<String> tokens = new ArrayList<>();
    private final Deque<int[]> script = new ArrayDeque<>();

    TestingReceiver(int port) throws IOException {
        this(HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0));
    }

    /** Over TLS on {@code port} (0: any), presenting what {@code tls} holds; the URL names {@code localhost}. */
    static TestingReceiver https(int port, SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new TestingReceiver(server);
    }

    private TestingReceiver(HttpServer server) {
        this.server = server;
        server.createContext("/api/v1alpha1/reports", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int[] next;
            synchronized (this) {
                next = script.pollFirst();
                tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            int code = next == null ? 200 : next[0];
            if (next != null && next[1] > 0) {
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(next[1]));
            }
            if (code == 200) {
                synchronized (this) {
                    accepted.add(json.readValue(body, CheckpointReport.class));
                }
            }
            byte[] answer = ("{\"status\":\"" + (code == 200 ? "accepted" : "refused") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    static TestingReceiver start() throws IOException {
        return new TestingReceiver(0);
    }

    URI uri() {
        return URI.create((server instanceof HttpsServer ? "https://localhost:" : "http://127.0.0.1:")
                + server.getAddress().getPort() + "/api/v1alpha1/reports");
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The next request gets {@code code} (with Retry-After seconds when > 0). */
    synchronized TestingReceiver then(int code, int retryAfterSeconds) {
        script.addLast(new int[] {code, retryAfterSeconds});
        return this;
    }

    synchronized List<CheckpointReport> accepted() {
        return List.copyOf(accepted);
    }

    synchronized List<String> tokens() {
        return List.copyOf(tokens);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
