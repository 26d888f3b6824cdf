package dev.landscape.operator.alert;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Table-driven: when a running rank's report is overdue; times are minutes after noon, expectations worked by hand. */
class ReportDeadlineTest {

    private static final Instant NOON = Instant.parse("2026-12-07T12:00:00Z");

    private static Instant minute(double m) {
        return NOON.plusSeconds(Math.round(m * 60));
    }

    private static Optional<Duration> minutes(Integer m) {
        return m == null ? Optional.empty() : Optional.of(Duration.ofMinutes(m));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("three of its own 40-minute intervals after the last report", 0, 100.0, 40, null, 220.0),
                Arguments.of("checkpoints 2 h apart are not late after 30 minutes", 0, 100.0, 120, null, 460.0),
                Arguments.of("the rank's own interval wins over the others'", 0, 100.0, 40, 10, 220.0),
                Arguments.of("no interval of its own yet: the other ranks' median", 0, 100.0, null, 10, 130.0),
                Arguments.of("no report ever, other ranks' interval, from the pod's start", 50, null, null, 10, 80.0),
                Arguments.of("no report and no interval anywhere: an hour for the first report", 50, null, null, null, 110.0),
                Arguments.of("a restarted pod is measured from its start, not from the old pod's last report", 300, 100.0, 40, null, 420.0),
                Arguments.of("never sooner than ten minutes", 0, 100.0, 1, null, 110.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void due(String name, double runningSince, Double lastReport, Integer own, Integer others, double expectedMinute) {
        Instant due = ReportDeadline.due(minute(runningSince), Optional.ofNullable(lastReport).map(ReportDeadlineTest::minute),
                minutes(own), minutes(others), 3);

        assertThat(due).isEqualTo(minute(expectedMinute));
    }
}
