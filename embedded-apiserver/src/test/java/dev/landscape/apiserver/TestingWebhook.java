package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An HTTPS admission webhook on a free loopback port: it records every AdmissionReview request and answers with the
 * response a test gives it (allowed, a JSON patch, a denial), optionally after a delay.
 */
final class TestingWebhook implements AutoCloseable {

    private final HttpsServer server;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, ObjectNode> answer = r -> allowed(r);
    private volatile Duration delay = Duration.ZERO;

    TestingWebhook(KeyStore serving) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(serving, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/mutate", exchange -> {
            JsonNode review = TestingHttp.JSON.readTree(exchange.getRequestBody());
            requests.add(review.path("request"));
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ObjectNode out = TestingHttp.JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
            out.set("response", answer.apply(review.path("request")));
            byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    TestingWebhook answering(Function<JsonNode, ObjectNode> answer) {
        this.answer = answer;
        return this;
    }

    TestingWebhook slow(Duration delay) {
        this.delay = delay;
        return this;
    }

    static ObjectNode allowed(JsonNode request) {
        return TestingHttp.JSON.createObjectNode().put("uid", request.path("uid").asText()).put("allowed", true);
    }

    /** Allowed, with a JSON patch adding label {@code key=value}, unless the pod has it already. */
    static Function<JsonNode, ObjectNode> labelling(String key, String value) {
        return request -> {
            ObjectNode r = allowed(request);
            if (!request.at("/object/metadata/labels").has(key)) {
                String patch = "[{\"op\":\"add\",\"path\":\"/metadata/labels/" + key + "\",\"value\":\"" + value + "\"}]";
                r.put("patchType", "JSONPatch").put("patch", java.util.Base64.getEncoder().encodeToString(patch.getBytes(StandardCharsets.UTF_8)));
                r.putArray("warnings").add("labelled " + key);
            }
            return r;
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
