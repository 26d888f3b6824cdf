package dev.landscape.operator.store;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LabelSelectorsTest {

    private static final Map<String, String> LABELS = Map.of("app", "train", "tier", "gpu");

    @Test
    void matchLabelsAndExpressionsAreAnded() {
        LabelSelector selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", "train"))
                .addNewMatchExpression().withKey("tier").withOperator("In").withValues("gpu", "tpu").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
                .build();

        assertThat(LabelSelectors.matches(selector, LABELS)).isTrue();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "train", "tier", "cpu"))).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "train", "tier", "gpu", "canary", "1"))).isFalse();
    }

    @Test
    void notInMatchesAbsentKeysAndExistsDoesNot() {
        LabelSelector notIn = new LabelSelectorBuilder().addNewMatchExpression().withKey("role")
                .withOperator("NotIn").withValues("evaluator").endMatchExpression().build();
        LabelSelector exists = new LabelSelectorBuilder().addNewMatchExpression().withKey("role")
                .withOperator("Exists").endMatchExpression().build();

        assertThat(LabelSelectors.matches(notIn, LABELS)).isTrue();
        assertThat(LabelSelectors.matches(notIn, Map.of("role", "evaluator"))).isFalse();
        assertThat(LabelSelectors.matches(exists, LABELS)).isFalse();
        assertThat(LabelSelectors.matches(exists, Map.of("role", ""))).isTrue();
    }

    @Test
    void emptySelectorAndUnknownOperatorMatchNothing() {
        LabelSelector unknown = new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
                .withOperator("Gt").withValues("1").endMatchExpression().build();

        assertThat(LabelSelectors.matches(new LabelSelector(), LABELS)).isFalse();
        assertThat(LabelSelectors.matches(null, LABELS)).isFalse();
        assertThat(LabelSelectors.matches(unknown, LABELS)).isFalse();
    }
}
