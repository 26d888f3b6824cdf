package dev.landscape.operator.observe;

import dev.landscape.operator.crd.InfraEvent;
import dev.landscape.operator.crd.ProbeReportStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InfraAccountingTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static Pod pod(String name, String uid, int restarts, String lastReason, Integer lastExit) {
        ContainerStatusBuilder cs = new ContainerStatusBuilder().withName("trainer").withRestartCount(restarts)
                .withNewState().withNewRunning().endRunning().endState();
        if (lastReason != null) {
            cs.withNewLastState().withNewTerminated().withReason(lastReason).withExitCode(lastExit)
                    .withFinishedAt("2026-11-22T09:59:00Z").endTerminated().endLastState();
        }
        return new PodBuilder().withNewMetadata().withName(name).withUid(uid).withCreationTimestamp("2026-11-22T09:00:00Z").endMetadata()
                .withNewSpec().addNewContainer().withName("trainer").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withContainerStatuses(cs.build()).endStatus().build();
    }

    @Test
    void anOomKillRestartIsCountedOnce() {
        ProbeReportStatus s = new ProbeReportStatus();
        Pod p = pod("w-3", "u1", 1, "OOMKilled", 137);

        assertThat(InfraAccounting.account(s, List.of(p), NOW)).isTrue();
        assertThat(InfraAccounting.account(s, List.of(p), NOW.plusSeconds(30))).isFalse();

        assertThat(s.getRestarts()).isEqualTo(1);
        assertThat(s.getOomKills()).isEqualTo(1);
        assertThat(s.getEvents()).singleElement().satisfies(e -> {
            assertThat(e.getReason()).isEqualTo("OOMKilled");
            assertThat(e.getExitCode()).isEqualTo(137);
            assertThat(e.getTime()).isEqualTo("2026-11-22T09:59:00Z");
        });
    }

    @Test
    void twoRestartsBetweenObservationsAreBothCountedAndOnlyTheLatestCauseIsClaimed() {
        ProbeReportStatus s = new ProbeReportStatus();
        InfraAccounting.account(s, List.of(pod("w-3", "u1", 0, null, null)), NOW);

        InfraAccounting.account(s, List.of(pod("w-3", "u1", 2, "OOMKilled", 137)), NOW.plusSeconds(60));

        assertThat(s.getRestarts()).isEqualTo(2);
        assertThat(s.getOomKills()).isEqualTo(1);
        assertThat(s.getEvents()).extracting(InfraEvent::getReason).containsExactly("Unobserved", "OOMKilled");
    }

    @Test
    void aNewOperatorReadingTheSameStatusDoesNotCountAgain() {
        ProbeReportStatus s = new ProbeReportStatus();
        InfraAccounting.account(s, List.of(pod("w-3", "u1", 1, "OOMKilled", 137)), NOW);
        ProbeReportStatus reloaded = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(s, ProbeReportStatus.class);

        boolean changed = InfraAccounting.account(reloaded, List.of(pod("w-3", "u1", 1, "OOMKilled", 137)), NOW.plusSeconds(600));

        assertThat(changed).isFalse();
        assertThat(reloaded.getOomKills()).isEqualTo(1);
    }

    @Test
    void aReplacementPodWithTheSameNameIsANewPod() {
        ProbeReportStatus s = new ProbeReportStatus();
        InfraAccounting.account(s, List.of(pod("w-3", "u1", 1, "Error", 1)), NOW);

        InfraAccounting.account(s, List.of(pod("w-3", "u2", 1, "Error", 1)), NOW.plusSeconds(60));

        assertThat(s.getRestarts()).isEqualTo(2);
        assertThat(s.getPods()).hasSize(2);
    }

    @Test
    void evictionIsRecordedOnce() {
        ProbeReportStatus s = new ProbeReportStatus();
        Pod evicted = new PodBuilder(pod("w-1", "u9", 0, null, null)).editStatus().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").endStatus().build();

        InfraAccounting.account(s, List.of(evicted), NOW);
        InfraAccounting.account(s, List.of(evicted), NOW.plusSeconds(60));

        assertThat(s.getEvents()).singleElement().extracting(InfraEvent::getReason).isEqualTo("Evicted");
    }

    @Test
    void aFailedPodWithoutRestartIsRecordedFromItsFinalState() {
        ProbeReportStatus s = new ProbeReportStatus();
        Pod failed = new PodBuilder(pod("w-2", "u5", 0, null, null)).editStatus().withPhase("Failed")
                .editFirstContainerStatus().withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                .withFinishedAt("2026-11-22T09:58:00Z").endTerminated().endState().endContainerStatus().endStatus().build();

        InfraAccounting.account(s, List.of(failed), NOW);

        assertThat(s.getOomKills()).isEqualTo(1);
        assertThat(s.getRestarts()).isNull();
    }

    @Test
    void sidecarRestartsAreNotTheTrainers() {
        ProbeReportStatus s = new ProbeReportStatus();
        Pod p = new PodBuilder(pod("w-0", "u1", 0, null, null)).editStatus().addNewContainerStatus()
                .withName("landscape-probe").withRestartCount(4).endContainerStatus().endStatus().build();

        InfraAccounting.account(s, List.of(p), NOW);

        assertThat(s.getRestarts()).isNull();
    }
}
