package dev.landscape.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.landscape.operator.reconcile.SpecValidator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every sample in deploy/samples must validate against the committed CRD's openAPIV3Schema (with unknown fields
 * rejected, as {@code kubectl apply --validate=strict} does) and pass the operator's own spec checks; every
 * negative sample must be rejected with a message naming the field (first line: {@code # expect: <message>}).
 */
class SamplesValidationTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = RepositoryPaths.root();

    @TestFactory
    Stream<DynamicTest> everySampleIsValid() throws IOException {
        JsonSchema schema = probeSchema();
        List<Path> samples = yamlFiles(ROOT.resolve("deploy/samples"));
        assertThat(samples).hasSizeGreaterThanOrEqualTo(3);
        return samples.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            JsonNode doc = YAML.readTree(p.toFile());
            assertThat(schema.validate(doc)).as("schema errors in %s", p).isEmpty();
            LandscapeProbe probe = YAML.treeToValue(doc, LandscapeProbe.class);
            assertThat(SpecValidator.validate(probe.getSpec())).as("spec problems in %s", p).isEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyNegativeSampleIsRejectedNamingTheField() throws IOException {
        JsonSchema schema = probeSchema();
        List<Path> samples = yamlFiles(Path.of("src/test/resources/invalid-samples"));
        assertThat(samples).hasSizeGreaterThanOrEqualTo(8);
        return samples.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String text = Files.readString(p);
            String expected = text.lines().findFirst().orElseThrow().replaceFirst("^# expect: ", "");
            JsonNode doc = YAML.readTree(text);
            List<String> messages = new ArrayList<>(schema.validate(doc).stream().map(ValidationMessage::getMessage).toList());
            if (messages.isEmpty()) {
                messages.addAll(SpecValidator.validate(YAML.treeToValue(doc, LandscapeProbe.class).getSpec()));
            }
            assertThat(messages).as("%s must be rejected", p.getFileName()).isNotEmpty();
            assertThat(String.join("\n", messages)).contains(expected);
        }));
    }

    static JsonSchema probeSchema() throws IOException {
        JsonNode crd = YAML.readTree(ROOT.resolve("crds/landscapeprobes.landscape.dev-v1.yml").toFile());
        ObjectNode schema = crd.at("/spec/versions/0/schema/openAPIV3Schema").deepCopy();
        // The API server adds these to every CRD's schema; the generator leaves them implicit.
        ObjectNode props = (ObjectNode) schema.get("properties");
        props.putObject("apiVersion").put("type", "string").putArray("enum").add("landscape.dev/v1alpha1");
        props.putObject("kind").put("type", "string").putArray("enum").add("LandscapeProbe");
        props.putObject("metadata").put("type", "object").putArray("required").add("name");
        rejectUnknownFields(schema);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
    }

    /** Structural schemas prune unknown fields silently; strict validation (what we want for samples) rejects them. */
    private static void rejectUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            if (obj.has("properties") && !obj.has("additionalProperties")
                    && !obj.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                obj.put("additionalProperties", false);
            }
            obj.fields().forEachRemaining(e -> rejectUnknownFields(e.getValue()));
        } else if (node != null && node.isArray()) {
            node.forEach(SamplesValidationTest::rejectUnknownFields);
        }
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
