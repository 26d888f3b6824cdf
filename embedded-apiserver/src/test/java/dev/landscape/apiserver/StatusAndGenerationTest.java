package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status subresource and metadata.generation as kube-apiserver keeps them: status is dropped on create and
 * ignored on writes to the resource, only status is taken from writes to /status; generation starts at 1 and grows
 * only when something outside metadata changes; a write that changes nothing keeps the resourceVersion; a status write
 * based on an older resourceVersion is a conflict, as on the resource itself.
 */
class StatusAndGenerationTest {

    private static final String WIDGETS = "/apis/test.dev/v1/namespaces/g/widgets";
    private static StrictApiServer server;
    private static TestingHttp http;

    @BeforeAll
    static void start() {
        server = TestingHttp.withWidgets("g");
        http = new TestingHttp(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode create(String name) {
        TestingHttp.Answer a = http.post(WIDGETS, "{\"apiVersion\":\"test.dev/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"size\":1},\"status\":{\"phase\":\"Ready\"}}");
        assertThat(a.code()).isEqualTo(201);
        return a.body();
    }

    @Test
    void statusIsDroppedOnCreateAndGenerationIsOne() {
        JsonNode created = create("s1");

        assertThat(created.has("status")).isFalse();
        assertThat(created.at("/metadata/generation").asLong()).isEqualTo(1);
    }

    @Test
    void specChangesBumpGenerationMetadataAndStatusDoNot() {
        create("s2");

        JsonNode spec = http.mergePatch(WIDGETS + "/s2", "{\"spec\":{\"size\":2}}").body();
        JsonNode label = http.mergePatch(WIDGETS + "/s2", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}").body();
        JsonNode status = http.mergePatch(WIDGETS + "/s2/status", "{\"status\":{\"phase\":\"Ready\"}}").body();

        assertThat(spec.at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(label.at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(status.at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(status.at("/status/phase").asText()).isEqualTo("Ready");
    }

    @Test
    void statusOnTheResourceAndSpecOnStatusAreIgnored() {
        create("s3");
        http.mergePatch(WIDGETS + "/s3/status", "{\"status\":{\"phase\":\"Pending\"}}");

        JsonNode main = http.mergePatch(WIDGETS + "/s3", "{\"status\":{\"phase\":\"Ready\"}}").body();
        JsonNode onStatus = http.mergePatch(WIDGETS + "/s3/status", "{\"spec\":{\"size\":5},\"status\":{\"phase\":\"Ready\"}}").body();

        assertThat(main.at("/status/phase").asText()).isEqualTo("Pending");
        assertThat(onStatus.at("/spec/size").asInt()).isEqualTo(1);
        assertThat(onStatus.at("/status/phase").asText()).isEqualTo("Ready");
    }

    @Test
    void invalidStatusIsRejectedOnTheStatusSubresource() {
        create("s4");

        TestingHttp.Answer a = http.mergePatch(WIDGETS + "/s4/status", "{\"status\":{\"phase\":\"Done\"}}");

        assertThat(a.code()).isEqualTo(422);
        assertThat(a.message()).isEqualTo("Widget.test.dev \"s4\" is invalid: [status.phase: Unsupported value: \"Done\": supported"
                + " values: \"Pending\", \"Ready\", <nil>: Invalid value: \"null\": some validation rules were not checked because the"
                + " object was invalid; correct the existing errors to complete validation]");
    }

    @Test
    void aWriteThatChangesNothingKeepsTheResourceVersion() {
        JsonNode created = create("s5");

        JsonNode same = http.put(WIDGETS + "/s5", created.toString()).body();

        assertThat(same.at("/metadata/resourceVersion").asText()).isEqualTo(created.at("/metadata/resourceVersion").asText());
        assertThat(same.at("/metadata/generation").asLong()).isEqualTo(1);
    }

    @Test
    void aStatusWriteBasedOnAnOlderResourceVersionIsAConflictAndStoresNothing() {
        JsonNode created = create("s6");
        JsonNode current = http.put(WIDGETS + "/s6/status", withPhase(created, "Pending")).body();

        TestingHttp.Answer stale = http.put(WIDGETS + "/s6/status", withPhase(created, "Ready"));

        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.body().path("reason").asText()).isEqualTo("Conflict");
        assertThat(stale.message()).isEqualTo("Operation cannot be fulfilled on widgets.test.dev \"s6\": the object has been"
                + " modified; please apply your changes to the latest version and try again");
        JsonNode stored = http.get(WIDGETS + "/s6").body();
        assertThat(stored.at("/status/phase").asText()).isEqualTo("Pending");
        assertThat(stored.at("/metadata/resourceVersion").asText()).isEqualTo(current.at("/metadata/resourceVersion").asText());
    }

    @Test
    void aStatusWriteBasedOnTheCurrentResourceVersionIsStored() {
        JsonNode created = create("s7");

        TestingHttp.Answer written = http.put(WIDGETS + "/s7/status", withPhase(created, "Ready"));

        assertThat(written.code()).isEqualTo(200);
        assertThat(http.get(WIDGETS + "/s7").body().at("/status/phase").asText()).isEqualTo("Ready");
    }

    private static String withPhase(JsonNode object, String phase) {
        ObjectNode copy = object.deepCopy();
        copy.putObject("status").put("phase", phase);
        return copy.toString();
    }

    @Test
    void namespacesCarryTheirNameLabel() {
        JsonNode ns = http.get("/api/v1/namespaces/g").body();

        assertThat(ns.at("/metadata/labels/kubernetes.io~1metadata.name").asText()).isEqualTo("g");
    }
}
