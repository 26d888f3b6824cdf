package dev.landscape.apiserver;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Custom resources are pruned, defaulted and validated as kube-apiserver 1.31 does, with its messages: the expected
 * strings below are written from the apiserver sources (field.Error, kube-openapi, the CEL validator), not from
 * this implementation. The CRD (src/test/resources/widgets.test.dev.yaml) uses each schema feature once.
 */
class CustomResourceValidationTest {

    private static final String WIDGETS = "/apis/test.dev/v1/namespaces/t/widgets";
    private static StrictApiServer server;
    private static TestingHttp http;

    @BeforeAll
    static void start() {
        server = TestingHttp.withWidgets("t");
        http = new TestingHttp(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String widget(String name, String spec) {
        return "{\"apiVersion\":\"test.dev/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}";
    }

    private static String invalid(String name, String errors) {
        return "Widget.test.dev \"" + name + "\" is invalid: " + errors;
    }

    @Test
    void defaultsAreAppliedAndUnknownFieldsPrunedWithAWarning() {
        TestingHttp.Answer a = http.post(WIDGETS, widget("w1", "{\"size\":3,\"sizes\":4,\"extra\":{\"anything\":{\"goes\":1}}}"));

        assertThat(a.code()).isEqualTo(201);
        assertThat(a.body().at("/spec/limit").asInt()).isEqualTo(10);
        assertThat(a.body().at("/spec/colour").asText()).isEqualTo("blue");
        assertThat(a.body().at("/spec").has("sizes")).isFalse();
        assertThat(a.body().at("/spec/extra/anything/goes").asInt()).isEqualTo(1);
        assertThat(a.warnings()).containsExactly("299 - \"unknown field \\\"spec.sizes\\\"\"");
        assertThat(http.get(WIDGETS + "/w1").body().at("/spec/limit").asInt()).isEqualTo(10);
    }

    @Test
    void strictFieldValidationRejectsUnknownFieldsAsBadRequest() {
        TestingHttp.Answer a = http.post(WIDGETS + "?fieldValidation=Strict", widget("w2", "{\"size\":3,\"sizes\":4}"));

        assertThat(a.code()).isEqualTo(400);
        assertThat(a.body().path("reason").asText()).isEqualTo("BadRequest");
        assertThat(a.message()).isEqualTo("Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.sizes\"");
        assertThat(http.get(WIDGETS + "/w2").code()).isEqualTo(404);
    }

    @Test
    void schemaErrorsUseKubeOpenApiWordingInsideFieldErrors() {
        TestingHttp.Answer a = http.post(WIDGETS, widget("w3",
                "{\"size\":0,\"ratio\":2.75,\"owner\":\"much-too-long\",\"tags\":[\"a\",\"b\",\"c\",\"d\"],\"since\":\"yesterday\"}"));

        assertThat(a.code()).isEqualTo(422);
        assertThat(a.body().path("reason").asText()).isEqualTo("Invalid");
        assertThat(a.message()).isEqualTo(invalid("w3", "["
                + "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1, "
                + "spec.ratio: Invalid value: 2.75: spec.ratio in body should be less than or equal to 2.5, "
                + "spec.owner: Too long: may not be longer than 8, "
                + "spec.since: Invalid value: \"yesterday\": spec.since in body must be of type date-time: \"yesterday\", "
                + "spec.tags: Too many: 4: must have at most 3 items, "
                + "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"));
        assertThat(a.body().at("/details/causes/0/field").asText()).isEqualTo("spec.size");
        assertThat(a.body().at("/details/causes/0/reason").asText()).isEqualTo("FieldValueInvalid");
        assertThat(a.body().at("/details/causes/2/reason").asText()).isEqualTo("FieldValueTooLong");
        assertThat(a.body().at("/details/kind").asText()).isEqualTo("Widget");
        assertThat(a.body().at("/details/group").asText()).isEqualTo("test.dev");
    }

    @Test
    void typeEnumAndRequiredErrors() {
        TestingHttp.Answer a = http.post(WIDGETS, widget("w4", "{\"limit\":\"ten\",\"colour\":\"red\"}"));

        assertThat(a.message()).isEqualTo(invalid("w4", "["
                + "spec.limit: Invalid value: \"string\": spec.limit in body must be of type integer: \"string\", "
                + "spec.colour: Unsupported value: \"red\": supported values: \"blue\", \"green\", \"mauve\", "
                + "spec.size: Required value, "
                + "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"));
    }

    @Test
    void listTypesRejectDuplicates() {
        TestingHttp.Answer a = http.post(WIDGETS, widget("w5",
                "{\"size\":1,\"tags\":[\"x\",\"x\"],\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"http\",\"port\":\"web\"}]}"));

        assertThat(a.message()).isEqualTo(invalid("w5", "["
                + "spec.tags[1]: Duplicate value: \"x\", "
                + "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"http\"}]"));
    }

    @Test
    void celRulesReportTheSchemaTypeTheirMessageExpressionReasonAndFieldPath() {
        TestingHttp.Answer a = http.post(WIDGETS, widget("w6", "{\"size\":12,\"colour\":\"mauve\",\"labels\":{\"team\":\"platform\"}}"));

        assertThat(a.message()).isEqualTo(invalid("w6", "["
                + "spec: Invalid value: \"object\": size 12 is above the limit 10, "
                + "spec: Forbidden: mauve is not a colour, "
                + "spec.labels[team]: Invalid value: \"string\": label values are at most 5 characters]"));
        assertThat(a.body().at("/details/causes/1/reason").asText()).isEqualTo("FieldValueForbidden");
    }

    @Test
    void transitionRulesSeeTheOldObjectOnUpdateOnly() {
        assertThat(http.post(WIDGETS, widget("w7", "{\"size\":1,\"owner\":\"ann\"}")).code()).isEqualTo(201);

        TestingHttp.Answer a = http.mergePatch(WIDGETS + "/w7", "{\"spec\":{\"owner\":\"bob\"}}");

        assertThat(a.code()).isEqualTo(422);
        assertThat(a.message()).isEqualTo(invalid("w7", "spec.owner: Invalid value: \"object\": owner is immutable"));
        assertThat(http.get(WIDGETS + "/w7").body().at("/spec/owner").asText()).isEqualTo("ann");
    }

    @Test
    void metadataNameMustBeADnsSubdomain() {
        TestingHttp.Answer a = http.post(WIDGETS, widget("Bad_Name", "{\"size\":1}"));

        assertThat(a.message()).isEqualTo("Widget.test.dev \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase"
                + " RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an"
                + " alphanumeric character (e.g. 'example.com', regex used for validation is"
                + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
}
