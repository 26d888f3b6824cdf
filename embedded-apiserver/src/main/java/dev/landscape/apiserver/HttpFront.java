package dev.landscape.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener in front of the dispatcher. Fabric8's MockWebServer dispatches on its one event loop, so one
 * slow request holds up every other; kube-apiserver serves requests concurrently, and admission depends on it: a
 * webhook may call back into the API server while the API server waits for its answer. Here each request is
 * dispatched on a worker thread (the store has its own locks) and answered back on the event loop, exactly as the
 * MockWebServer would answer it; a watch is registered and upgraded to its WebSocket on the event loop.
 */
final class HttpFront implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;

    private HttpFront(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    static HttpFront start(InetAddress address, Dispatcher dispatcher) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(32).setMaxWorkerExecuteTime(10).setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(address.getHostAddress()).setPort(0)
                .setWebSocketSubProtocols(java.util.List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io"))
                .setHandle100ContinueAutomatically(true));
        server.requestHandler(event -> handle(vertx, dispatcher, event));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the embedded API server cannot listen on " + address, e);
        }
        return new HttpFront(vertx, server);
    }

    int port() {
        return server.actualPort();
    }

    private static void handle(Vertx vertx, Dispatcher dispatcher, HttpServerRequest event) {
        Future<io.vertx.core.buffer.Buffer> body = hasBody(event) ? event.body() : Future.succeededFuture(null);
        body.onFailure(err -> fail(event, err));
        body.onSuccess(bytes -> {
            RecordedRequest request = new RecordedRequest(event.version().alpnName().toUpperCase(Locale.ROOT),
                    HttpMethod.fromVertx(event.method()), event.uri(), Headers.builder().addAll(event.headers()).build(),
                    new io.fabric8.mockwebserver.http.Buffer(bytes == null ? null : bytes.getBytes()));
            if ("websocket".equalsIgnoreCase(event.getHeader("Upgrade"))) {
                // A watch: registering it is quick, and the upgrade must happen before the request is done with.
                respond(event, request, dispatcher.dispatch(request));
                return;
            }
            vertx.<MockResponse>executeBlocking(() -> dispatcher.dispatch(request), false)
                    .onFailure(err -> fail(event, err))
                    .onSuccess(response -> respond(event, request, response));
        });
    }

    private static void respond(HttpServerRequest event, RecordedRequest request, MockResponse response) {
        if (response == null) {
            event.response().setStatusCode(404).end();
            return;
        }
        if (response.getWebSocketListener() != null) {
            event.toWebSocket().onFailure(err -> fail(event, err)).onSuccess(new ServerWebSocketHandler(request, response));
            return;
        }
        HttpServerResponse out = event.response();
        out.setStatusCode(response.code());
        response.getHeaders().toMultimap().forEach((key, values) -> out.headers().add(key, values));
        if (response.getBody() != null && response.getBody().size() > 0) {
            out.headers().set("Content-Length", String.valueOf(response.getBody().size()));
            out.send(io.vertx.core.buffer.Buffer.buffer(response.getBody().getBytes()));
        } else {
            out.end();
        }
    }

    private static void fail(HttpServerRequest event, Throwable err) {
        if (!event.response().headWritten()) {
            event.response().setStatusCode(500).setStatusMessage(String.valueOf(err.getMessage())).end();
        }
    }

    private static boolean hasBody(HttpServerRequest event) {
        String length = event.headers().get("Content-Length");
        if (length != null && !length.isBlank() && Integer.parseInt(length.trim()) > 0) {
            return true;
        }
        return event.headers().contains("Content-Type");
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        } finally {
            vertx.close();
        }
    }
}
