package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** Raw requests to the strict server, to see status codes, Status bodies and Warning headers as a client gets them. */
final class TestingHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record Answer(int code, JsonNode body, List<String> warnings) {
        String message() {
            return body.path("message").asText();
        }
    }

    /** A started server with the test CRD (widgets.test.dev) and namespace {@code namespace}. */
    static StrictApiServer withWidgets(String namespace) {
        StrictApiServer server = StrictApiServer.start();
        server.applyCrds(java.nio.file.Path.of("src/test/resources"));
        TestingHttp http = new TestingHttp(server);
        if (http.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}").code() != 201) {
            throw new IllegalStateException("cannot create namespace " + namespace);
        }
        return server;
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    TestingHttp(StrictApiServer server) {
        this.base = server.url();
    }

    Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer mergePatch(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    static String yamlToJson(String yaml) {
        try {
            return JSON.writeValueAsString(YAML.readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? JSON.missingNode() : JSON.readTree(r.body());
            return new Answer(r.statusCode(), body, r.headers().allValues("Warning"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
