package dev.landscape.probe.report;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.Tier1Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryTest {

    @TempDir
    Path dir;

    static CheckpointReport report(long step) {
        return new CheckpointReport(CheckpointReport.API_VERSION, "probe", "ns", "pod-0", 0, step,
                new CheckpointReport.CheckpointRef("/ckpt/step_" + step, "safetensors", "2026-11-22T10:00:00Z"),
                "2026-11-22T10:00:01Z", new Tier1Summary(1.0, 0L, null, null, null, null, null, null, null, null, 2.0, null, null),
                null, List.of(), List.of(), List.of());
    }

    private final MutableClock clock = new MutableClock();

    private Delivery delivery(URI uri, ReportSpool spool) throws IOException {
        return delivery(uri, spool, Delivery.Limits.DEFAULT);
    }

    private Delivery delivery(URI uri, ReportSpool spool, Delivery.Limits limits) throws IOException {
        Path token = dir.resolve("token");
        if (!Files.exists(token)) {
            Files.writeString(token, "token-1\n");
        }
        ReportSender sender = new ReportSender(OperatorTrust.of(java.util.Optional.empty(), Duration.ofSeconds(5)), uri, token, Duration.ofSeconds(5));
        return new Delivery(spool, sender, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(1)),
                Duration.ofSeconds(1), limits, clock);
    }

    static final class MutableClock extends java.time.Clock {
        java.time.Instant now = java.time.Instant.parse("2026-11-22T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void notFoundIsRetriedLikeUnavailableNotRefusedForGood() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start().then(404, 0).then(404, 0)) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            Delivery d = delivery(operator.uri(), spool);
            spool.add(report(100));
            spool.add(report(200));

            d.drainOnce();
            d.drainOnce();
            d.drainOnce();

            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(100L, 200L);
            assertThat(d.rejected()).isZero();
            assertThat(d.retries()).isEqualTo(2);
            assertThat(dir.resolve("spool/rejected")).doesNotExist();
        }
    }

    @Test
    void aReportThatKeepsFailingIsDeadLetteredOnceALaterOneIsAcceptedAndOrderIsKept() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start().failing(100, 500)) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            Delivery d = delivery(operator.uri(), spool, new Delivery.Limits(3, Duration.ofDays(1)));
            for (long step : new long[] {100, 200, 300}) {
                spool.add(report(step));
            }

            d.drainOnce();
            d.drainOnce();
            assertThat(operator.accepted()).as("200 and 300 wait behind 100 for its first attempts").isEmpty();
            d.drainOnce();

            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(200L, 300L);
            assertThat(d.deadLettered()).isEqualTo(1);
            Path dead = dir.resolve("spool/dead-letter").resolve(ReportSpool.fileName(report(100)));
            assertThat(dead).exists();
            assertThat(Files.readString(dead.resolveSibling(dead.getFileName() + ".why")))
                    .startsWith("failed 3 delivery attempts").contains("500").contains("probe/0/200");
            assertThat(spool.size()).isZero();
        }
    }

    @Test
    void anOutageOfAnyLengthDeadLettersNothing() throws Exception {
        int port = closedPort();
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        Delivery d = delivery(URI.create("http://127.0.0.1:" + port + "/api/v1alpha1/reports"), spool,
                new Delivery.Limits(2, Duration.ofMinutes(1)));
        for (long step : new long[] {100, 200, 300}) {
            spool.add(report(step));
        }

        for (int i = 0; i < 6; i++) {
            d.drainOnce();
            clock.now = clock.now.plus(Duration.ofMinutes(10));
        }
        assertThat(d.deadLettered()).isZero();
        try (TestingReceiver operator = new TestingReceiver(port)) {
            d.drainOnce();

            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(100L, 200L, 300L);
        }
        assertThat(dir.resolve("spool/dead-letter")).doesNotExist();
    }

    @Test
    void theTimeLimitAloneMakesAReportASuspect() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start().failing(100, 503)) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            Delivery d = delivery(operator.uri(), spool, new Delivery.Limits(1000, Duration.ofMinutes(15)));
            spool.add(report(100));
            spool.add(report(200));

            d.drainOnce();
            clock.now = clock.now.plus(Duration.ofMinutes(16));
            d.drainOnce();

            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(200L);
            assertThat(d.deadLettered()).isEqualTo(1);
        }
    }

    @Test
    void failedAttemptsAreCountedAcrossARestart() throws Exception {
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        spool.add(report(100));
        spool.failedAttempt(spool.pending().get(0), clock.now);
        spool.failedAttempt(spool.pending().get(0), clock.now.plusSeconds(5));

        ReportSpool reopened = new ReportSpool(dir.resolve("spool"));

        assertThat(reopened.attempts(reopened.pending().get(0))).isEqualTo(new ReportSpool.Attempts(2, clock.now));
        assertThat(reopened.size()).as("the count file is not a report").isEqualTo(1);
    }

    @Test
    void reportsSpooledWhileTheOperatorIsDownArriveOnceAndInOrderWhenItIsUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        Delivery d = delivery(URI.create("http://127.0.0.1:" + port + "/api/v1alpha1/reports"), spool);
        for (long step : new long[] {300, 100, 200}) {
            spool.add(report(step));
        }

        d.drainOnce();
        d.drainOnce();
        assertThat(spool.size()).isEqualTo(3);
        assertThat(d.retries()).isEqualTo(2);

        try (TestingReceiver operator = new TestingReceiver(port)) {
            d.drainOnce();
            d.drainOnce();
            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(100L, 200L, 300L);
        }
        assertThat(spool.size()).isZero();
        assertThat(d.delivered()).isEqualTo(3);
    }

    @Test
    void tooManyRequestsIsHonouredWithRetryAfterAndNothingIsSkipped() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start().then(429, 2)) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            Delivery d = delivery(operator.uri(), spool);
            spool.add(report(100));
            spool.add(report(200));

            Duration wait = d.drainOnce();

            assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(operator.accepted()).isEmpty();
            d.drainOnce();
            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(100L, 200L);
        }
    }

    @Test
    void aReportRefusedForGoodIsSetAsideAndTheRestContinue() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start().then(400, 0)) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            Delivery d = delivery(operator.uri(), spool);
            spool.add(report(100));
            spool.add(report(200));

            d.drainOnce();

            assertThat(operator.accepted()).extracting(CheckpointReport::step).containsExactly(200L);
            assertThat(d.rejected()).isEqualTo(1);
            assertThat(dir.resolve("spool/rejected").resolve(ReportSpool.fileName(report(100)))).exists();
            assertThat(Files.readString(dir.resolve("spool/rejected").resolve(ReportSpool.fileName(report(100)) + ".why"))).startsWith("400");
        }
    }

    @Test
    void theTokenIsReadAgainOnEveryAttemptSoARotatedTokenIsUsed() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start().then(401, 0)) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            Delivery d = delivery(operator.uri(), spool);
            spool.add(report(100));

            d.drainOnce();
            Files.writeString(dir.resolve("token"), "token-2\n");
            d.drainOnce();

            assertThat(operator.tokens()).containsExactly("Bearer token-1", "Bearer token-2");
            assertThat(operator.accepted()).hasSize(1);
        }
    }

    @Test
    void theSameStepSpooledTwiceIsDeliveredOnce() throws Exception {
        try (TestingReceiver operator = TestingReceiver.start()) {
            ReportSpool spool = new ReportSpool(dir.resolve("spool"));
            spool.add(report(100));
            spool.add(report(100));

            delivery(operator.uri(), spool).drainOnce();

            assertThat(operator.accepted()).hasSize(1);
        }
    }

    @Test
    void aSpoolSurvivesARestartOfTheSidecar() throws Exception {
        new ReportSpool(dir.resolve("spool")).add(report(100));

        ReportSpool reopened = new ReportSpool(dir.resolve("spool"));

        assertThat(reopened.pending()).extracting(e -> e.report().step()).containsExactly(100L);
    }

    @Test
    void backoffGrowsWithJitterUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), new Random(7));
        for (int i = 0; i < 12; i++) {
            Duration d = b.next(null);
            assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        }
        assertThat(b.failures()).isEqualTo(12);
        assertThat(b.next(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    }
}
