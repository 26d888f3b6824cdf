package dev.landscape.probe.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Liveness ({@code /healthz}: the watch loop has ticked recently) and readiness ({@code /readyz}: configuration
 * valid and the checkpoint folder readable) for the kubelet. A failing probe restarts or un-readies the sidecar
 * only: a native sidecar's state never affects the trainer container.
 */
public final class HealthServer implements AutoCloseable {

    /** A probe's verdict and a line saying why. */
    public record Verdict(boolean ok, String detail) {
    }

    private final HttpServer server;

    public HealthServer(int port, Supplier<Verdict> live, Supplier<Verdict> ready) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "landscape-health");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/healthz", e -> answer(e, live.get()));
        server.createContext("/readyz", e -> answer(e, ready.get()));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange e, Verdict v) throws IOException {
        byte[] body = ((v.ok() ? "ok" : "not ok") + ": " + v.detail() + "\n").getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        e.sendResponseHeaders(v.ok() ? 200 : 503, body.length);
        e.getResponseBody().write(body);
        e.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
