package dev.landscape.operator.webhook;

import dev.landscape.operator.testing.TestingClock;
import io.fabric8.kubernetes.client.VersionInfo;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterVersionTest {

    @Test
    void nativeSidecarsFrom129IncludingVendorSuffixes() {
        assertThat(ClusterVersion.supports("1", "28")).isFalse();
        assertThat(ClusterVersion.supports("1", "29")).isTrue();
        assertThat(ClusterVersion.supports("1", "30+")).isTrue();
        assertThat(ClusterVersion.supports("", "")).isFalse();
    }

    @Test
    void versionIsReadOnceWithinTheTtl() {
        AtomicInteger reads = new AtomicInteger();
        ClusterVersion version = new ClusterVersion(() -> {
            reads.incrementAndGet();
            return version("1", "31");
        }, Clock.fixed(Instant.parse("2026-11-22T00:00:00Z"), ZoneOffset.UTC), Duration.ofMinutes(10));

        assertThat(version.supportsNativeSidecars()).isTrue();
        assertThat(version.supportsNativeSidecars()).isTrue();
        assertThat(reads).hasValue(1);
    }

    @Test
    void afterTheTtlTheStaleAnswerIsReturnedWhileOneRefreshRuns() {
        AtomicInteger reads = new AtomicInteger();
        TestingClock clock = new TestingClock(Instant.parse("2026-11-22T00:00:00Z"));
        ClusterVersion version = new ClusterVersion(() -> version("1", reads.incrementAndGet() == 1 ? "28" : "29"),
                clock, Duration.ofMinutes(10));
        assertThat(version.supportsNativeSidecars()).isFalse();

        clock.advance(Duration.ofMinutes(11));

        assertThat(version.supportsNativeSidecars()).as("stale answer, refresh started").isFalse();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(version::supportsNativeSidecars);
        assertThat(reads).hasValue(2);
    }

    @Test
    void unreadableVersionMeansPlainContainers() {
        ClusterVersion version = new ClusterVersion(() -> {
            throw new IllegalStateException("connection refused");
        }, Clock.systemUTC(), Duration.ofMinutes(10));

        assertThat(version.supportsNativeSidecars()).isFalse();
    }

    private static VersionInfo version(String major, String minor) {
        return new VersionInfo.Builder().withMajor(major).withMinor(minor).build();
    }
}
