package dev.landscape.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.landscape.apiserver.StrictApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed CRDs in the strict embedded API server, with samples sent as {@code kubectl apply} sends them
 * ({@code fieldValidation=Strict}): every sample in deploy/samples is stored, with its defaults; every negative sample
 * gets exactly the answer kube-apiserver 1.31 gives (second line: {@code # apiserver: <message>}, or {@code accepted}
 * for a spec only the operator's own checks reject; SamplesValidationTest holds those checks' messages).
 */
class ApiServerSamplesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = RepositoryPaths.root();
    private static final String PROBES = "/apis/landscape.dev/v1alpha1/namespaces/%s/landscapeprobes?fieldValidation=Strict";
    private static StrictApiServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = StrictApiServer.start();
        server.applyCrds(ROOT.resolve("crds"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @TestFactory
    Stream<DynamicTest> everySampleIsStoredWithItsDefaults() throws IOException {
        List<Path> samples = yamlFiles(ROOT.resolve("deploy/samples"));
        assertThat(samples).hasSizeGreaterThanOrEqualTo(3);
        return samples.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            HttpResponse<String> r = post(YAML.readTree(p.toFile()));

            assertThat(r.statusCode()).as("%s: %s", p, r.body()).isEqualTo(201);
            JsonNode stored = new ObjectMapper().readTree(r.body());
            assertThat(stored.at("/spec/checkpoints/pollInterval").asText()).as("schema default applied").isNotEmpty();
            assertThat(stored.at("/metadata/generation").asLong()).isEqualTo(1);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyNegativeSampleGetsKubeApiserversAnswer() throws IOException {
        List<Path> samples = yamlFiles(Path.of("src/test/resources/invalid-samples"));
        assertThat(samples).hasSizeGreaterThanOrEqualTo(8);
        return samples.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String text = Files.readString(p);
            String expected = text.lines().skip(1).findFirst().orElseThrow().replaceFirst("^# apiserver: ", "");

            HttpResponse<String> r = post(YAML.readTree(text));

            if (expected.equals("accepted")) {
                assertThat(r.statusCode()).as("%s: %s", p.getFileName(), r.body()).isEqualTo(201);
            } else {
                assertThat(r.statusCode()).as("%s: %s", p.getFileName(), r.body()).isIn(400, 422);
                assertThat(new ObjectMapper().readTree(r.body()).path("message").asText()).isEqualTo(expected);
            }
        }));
    }

    private static HttpResponse<String> post(JsonNode probe) throws IOException, InterruptedException {
        String namespace = probe.at("/metadata/namespace").asText("samples");
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + PROBES.formatted(namespace))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(probe.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
