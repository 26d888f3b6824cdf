package dev.landscape.operator.alert;

import dev.landscape.operator.crd.ActiveSilence;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.SilenceAnnotations;
import dev.landscape.operator.crd.SilenceSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Table-driven: silences, a finding (reason, rank) and a moment in; "silenced until" out. Times are minutes after
 * 12:00 on one day, written out by hand in each row so the expectation does not come from the code.
 */
class SilencesTest {

    private static final Instant NOON = Instant.parse("2026-12-07T12:00:00Z");

    private static String at(int minute) {
        return NOON.plusSeconds(60L * minute).toString();
    }

    private static SilenceSpec window(int from, int to, List<String> reasons, List<Integer> ranks) {
        SilenceSpec s = new SilenceSpec();
        s.setStart(at(from));
        s.setEnd(at(to));
        s.setReason("planned restart");
        s.setFindingReasons(reasons);
        s.setRanks(ranks);
        return s;
    }

    private static SilenceSpec window(int from, int to) {
        return window(from, to, null, null);
    }

    private static LandscapeProbe probe(List<SilenceSpec> silences, String annotationUntil) {
        LandscapeProbe p = new LandscapeProbe();
        Map<String, String> annotations = new HashMap<>();
        if (annotationUntil != null) {
            annotations.put(SilenceAnnotations.UNTIL, annotationUntil);
            annotations.put(SilenceAnnotations.REASON, "paged twice for the same restart");
        }
        p.setMetadata(new ObjectMetaBuilder().withName("bert").withNamespace("ml").withAnnotations(annotations).build());
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        spec.setSilences(silences);
        p.setSpec(spec);
        return p;
    }

    private static Clock clock(int minute) {
        return Clock.fixed(NOON.plusSeconds(60L * minute), ZoneOffset.UTC);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("no silence", probe(null, null), "LossSpike", 3, 10, null),
                Arguments.of("whole-probe window, inside", probe(List.of(window(0, 60)), null), "LossSpike", 3, 10, "2026-12-07T13:00:00Z"),
                Arguments.of("whole-probe window covers job-wide findings", probe(List.of(window(0, 60)), null), "WorkerDivergence", null, 10, "2026-12-07T13:00:00Z"),
                Arguments.of("before the window", probe(List.of(window(30, 60)), null), "LossSpike", 3, 29, null),
                Arguments.of("the start is inside", probe(List.of(window(30, 60)), null), "LossSpike", 3, 30, "2026-12-07T13:00:00Z"),
                Arguments.of("the end is outside", probe(List.of(window(30, 60)), null), "LossSpike", 3, 60, null),
                Arguments.of("limited to a reason: that reason", probe(List.of(window(0, 60, List.of("LossSpike", "GradientSpike"), null)), null), "GradientSpike", 1, 10, "2026-12-07T13:00:00Z"),
                Arguments.of("limited to a reason: another reason", probe(List.of(window(0, 60, List.of("LossSpike"), null)), null), "RestartLoop", 1, 10, null),
                Arguments.of("limited to ranks: that rank", probe(List.of(window(0, 60, null, List.of(0, 3))), null), "RestartLoop", 3, 10, "2026-12-07T13:00:00Z"),
                Arguments.of("limited to ranks: another rank", probe(List.of(window(0, 60, null, List.of(0, 3))), null), "RestartLoop", 1, 10, null),
                Arguments.of("limited to ranks: a job-wide finding is not covered", probe(List.of(window(0, 60, null, List.of(0))), null), "WorkerDivergence", null, 10, null),
                Arguments.of("reason and rank both limit", probe(List.of(window(0, 60, List.of("LossSpike"), List.of(3))), null), "LossSpike", 2, 10, null),
                Arguments.of("adjacent windows chain", probe(List.of(window(0, 60), window(60, 120)), null), "LossSpike", 3, 10, "2026-12-07T14:00:00Z"),
                Arguments.of("overlapping windows chain", probe(List.of(window(50, 180), window(0, 60)), null), "LossSpike", 3, 10, "2026-12-07T15:00:00Z"),
                Arguments.of("a later window with a gap does not chain", probe(List.of(window(0, 60), window(61, 120)), null), "LossSpike", 3, 10, "2026-12-07T13:00:00Z"),
                Arguments.of("a window for another reason does not chain", probe(List.of(window(0, 60), window(60, 120, List.of("RestartLoop"), null)), null), "LossSpike", 3, 10, "2026-12-07T13:00:00Z"),
                Arguments.of("ad-hoc annotation in the future mutes everything", probe(null, "2026-12-07T14:00:00Z"), "NonFiniteValues", 0, 10, "2026-12-07T14:00:00Z"),
                Arguments.of("ad-hoc annotation with an offset", probe(null, "2026-12-07T15:00:00+01:00"), "NonFiniteValues", 0, 10, "2026-12-07T14:00:00Z"),
                Arguments.of("expired annotation mutes nothing", probe(null, "2026-12-07T12:05:00Z"), "NonFiniteValues", 0, 10, null),
                Arguments.of("annotation and a window: the later end wins", probe(List.of(window(0, 90)), "2026-12-07T13:00:00Z"), "LossSpike", 3, 10, "2026-12-07T13:30:00Z"),
                Arguments.of("malformed annotation mutes nothing", probe(null, "tomorrow"), "LossSpike", 3, 10, null),
                Arguments.of("a window whose end is before its start mutes nothing", probe(List.of(window(60, 0)), null), "LossSpike", 3, 10, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void silencedUntil(String name, LandscapeProbe probe, String reason, Integer rank, int minute, String expected) {
        var until = Silences.of(probe).until(reason, rank == null ? OptionalInt.empty() : OptionalInt.of(rank), clock(minute));

        assertThat(until.map(Instant::toString).orElse(null)).isEqualTo(expected);
    }

    @Test
    void statusListsTheSilencesInForceWithTheirSource() {
        LandscapeProbe probe = probe(List.of(window(0, 60, List.of("LossSpike"), List.of(3)), window(90, 120)), "2026-12-07T12:30:00Z");

        List<ActiveSilence> active = Silences.of(probe).active(clock(10));

        assertThat(active).extracting(ActiveSilence::getSource, ActiveSilence::getUntil, ActiveSilence::getFindingReasons, ActiveSilence::getRanks)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("spec.silences[0]", "2026-12-07T13:00:00Z", List.of("LossSpike"), List.of(3)),
                        org.assertj.core.groups.Tuple.tuple("annotation landscape.dev/silenced-until", "2026-12-07T12:30:00Z", null, null));
        assertThat(active.get(1).getReason()).isEqualTo("paged twice for the same restart");
        assertThat(Silences.of(probe).silencedUntil(clock(10))).contains(Instant.parse("2026-12-07T13:00:00Z"));
    }

    @Test
    void theProbeIsReevaluatedWhenTheNextSilenceBeginsOrEnds() {
        Silences s = Silences.of(probe(new ArrayList<>(List.of(window(0, 60), window(90, 120))), null));

        assertThat(s.nextChange(clock(10))).contains(Instant.parse("2026-12-07T13:00:00Z"));
        assertThat(s.nextChange(clock(60))).contains(Instant.parse("2026-12-07T13:30:00Z"));
        assertThat(s.nextChange(clock(120))).isEmpty();
        assertThat(s.silencedUntil(clock(70))).isEmpty();
    }
}
