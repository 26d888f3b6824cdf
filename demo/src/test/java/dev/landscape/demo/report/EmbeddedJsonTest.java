package dev.landscape.demo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE = "</script><script>alert(1)</script><!-- a & b > c \"q\" \\ 'x'\n\t\r"
            + "\u0001\u001f\u007f \u2028\u2029 é 日本 \uD83D\uDE80";

    @Test
    void stringsReadBackUnchanged() throws Exception {
        String json = EmbeddedJson.write(Map.of("s", HOSTILE));

        assertThat(JSON.readTree(json).get("s").asText()).isEqualTo(HOSTILE);
    }

    @Test
    void noCharacterCanEndOrConfuseTheScriptElement() {
        String json = EmbeddedJson.write(List.of(HOSTILE, Map.of(HOSTILE, HOSTILE)));

        assertThat(json).doesNotContain("<", ">", "&", "\u2028", "\u2029");
        assertThat(json.chars().filter(c -> c < 0x20)).isEmpty();
        assertThat(json).contains("\\u003c/script\\u003e");
    }

    @Test
    void unpairedSurrogatesAreEscapedSoTheTextSurvivesUtf8() throws Exception {
        String broken = "a\uD800b\uDC00c";

        String json = EmbeddedJson.write(List.of(broken));

        assertThat(new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(json).isEqualTo("[\"a\\ud800b\\udc00c\"]");
        assertThat(JSON.readTree(json).get(0).asText()).isEqualTo(broken);
    }

    @Test
    void nonFiniteNumbersBecomeNullAndOthersKeepTheirValue() throws Exception {
        String json = EmbeddedJson.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, 1.0e-4, -2.5, 3, 9_007_199_254_740_993L, 0.1f, null, true));

        JsonNode node = JSON.readTree(json);
        assertThat(node.get(0).isNull()).isTrue();
        assertThat(node.get(1).isNull()).isTrue();
        assertThat(node.get(2).isNull()).isTrue();
        assertThat(node.get(3).asDouble()).isEqualTo(1.0e-4);
        assertThat(node.get(4).asDouble()).isEqualTo(-2.5);
        assertThat(node.get(5).asLong()).isEqualTo(3);
        assertThat(node.get(6).asLong()).isEqualTo(9_007_199_254_740_993L);
        assertThat(node.get(7).asDouble()).isEqualTo((double) 0.1f);
        assertThat(node.get(8).isNull()).isTrue();
        assertThat(node.get(9).asBoolean()).isTrue();
    }

    @Test
    void objectsKeepTheirOrderAndNest() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of());
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("b", inner);
        outer.put("a", MetricSeries.Scale.LOG);

        assertThat(EmbeddedJson.write(outer)).isEqualTo("{\"b\":{\"z\":1,\"a\":[]},\"a\":\"LOG\"}");
    }

    @Test
    void refusesValuesWithoutAJsonForm() {
        assertThatThrownBy(() -> EmbeddedJson.write(List.of(new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> EmbeddedJson.write(Map.of(1, "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys must be strings");
    }
}
