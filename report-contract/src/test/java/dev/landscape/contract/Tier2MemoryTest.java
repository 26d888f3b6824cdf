package dev.landscape.contract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The differentiated count D in the tier-2 formula: the webhook's form is D = n, D counts GRAPH_COPIES times. */
class Tier2MemoryTest {

    private static final long N = 124_439_808L;
    private static final long LAST_BLOCK = 7_089_408L;

    @Test
    void theWebhooksFormIsTheDifferentiatedFormWithDEqualToN() {
        assertThat(Tier2Memory.of(N, LAST_BLOCK, 3, 4)).isEqualTo(Tier2Memory.of(N, LAST_BLOCK, LAST_BLOCK, 3, 4));
    }

    @Test
    void frozenWeightsInTheDifferentiatedGraphAddTheirCopiesNativelyAndNothingToTheHeap() {
        long frozenRead = 16L * Tier2Memory.MIB; // a multiple of a MiB, so that rounding does not blur the difference

        Tier2Memory webhook = Tier2Memory.of(N, LAST_BLOCK, 1, 4);
        Tier2Memory need = Tier2Memory.of(N, LAST_BLOCK, LAST_BLOCK + frozenRead, 1, 4);

        assertThat(need.heapBytes()).isEqualTo(webhook.heapBytes());
        assertThat(need.nativeBytes() - webhook.nativeBytes()).isEqualTo(8 * frozenRead * (Tier2Memory.GRAPH_COPIES - 1));
    }

    @Test
    void everythingDifferentiatedNeedsWhatTheWholeModelNeedsNatively() {
        assertThat(Tier2Memory.of(N, LAST_BLOCK, N, 1, 4).nativeBytes()).isEqualTo(Tier2Memory.of(N, N, 1, 4).nativeBytes());
    }

    @Test
    void theCountsMustNest() {
        assertThatThrownBy(() -> Tier2Memory.of(N, LAST_BLOCK, LAST_BLOCK - 1, 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("analysed (7089408) <= differentiated");
        assertThatThrownBy(() -> Tier2Memory.of(N, LAST_BLOCK, N + 1, 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<= model parameters (124439808)");
    }
}
