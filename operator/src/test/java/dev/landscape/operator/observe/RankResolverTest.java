package dev.landscape.operator.observe;

import dev.landscape.operator.crd.RankSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RankResolverTest {

    static Pod pod(String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("trainer").endContainer().endSpec().build();
    }

    @Test
    void kubeflowWorkersComeAfterTheMaster() {
        List<Pod> pods = List.of(
                pod("job-master-0", Map.of(RankResolver.KUBEFLOW_TYPE, "master", RankResolver.KUBEFLOW_INDEX, "0")),
                pod("job-worker-0", Map.of(RankResolver.KUBEFLOW_TYPE, "worker", RankResolver.KUBEFLOW_INDEX, "0")),
                pod("job-worker-1", Map.of(RankResolver.KUBEFLOW_TYPE, "worker", RankResolver.KUBEFLOW_INDEX, "1")));

        assertThat(RankResolver.resolve(null, pods)).containsExactlyInAnyOrderEntriesOf(
                Map.of("job-master-0", 0, "job-worker-0", 1, "job-worker-1", 2));
    }

    @Test
    void indexedJobUsesTheCompletionIndex() {
        assertThat(RankResolver.resolve(null, List.of(pod("j-3-abc", Map.of(RankResolver.COMPLETION_INDEX, "3")))))
                .containsEntry("j-3-abc", 3);
    }

    @Test
    void jobSetCombinesJobAndCompletionIndex() {
        List<Pod> pods = List.of(
                pod("a", Map.of(RankResolver.JOBSET_GLOBAL_INDEX, "0", RankResolver.COMPLETION_INDEX, "0")),
                pod("b", Map.of(RankResolver.JOBSET_GLOBAL_INDEX, "0", RankResolver.COMPLETION_INDEX, "1")),
                pod("c", Map.of(RankResolver.JOBSET_GLOBAL_INDEX, "1", RankResolver.COMPLETION_INDEX, "0")),
                pod("d", Map.of(RankResolver.JOBSET_GLOBAL_INDEX, "1", RankResolver.COMPLETION_INDEX, "1")));

        assertThat(RankResolver.resolve(null, pods)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0, "b", 1, "c", 2, "d", 3));
    }

    @Test
    void envRankIsTheLastResort() {
        Pod p = new PodBuilder(pod("x", Map.of())).editSpec().editFirstContainer().addNewEnv().withName("RANK").withValue("5").endEnv()
                .endContainer().endSpec().build();
        assertThat(RankResolver.resolve(null, List.of(p))).containsEntry("x", 5);
    }

    @Test
    void explicitLabelSource() {
        RankSource src = new RankSource();
        src.setSource(RankSource.Source.Label);
        src.setKey("example.com/rank");
        assertThat(RankResolver.resolve(src, List.of(pod("x", Map.of("example.com/rank", "7")), pod("y", Map.of()))))
                .containsExactly(Map.entry("x", 7));
    }

    @Test
    void podsWithoutARankAreLeftOut() {
        assertThat(RankResolver.resolve(null, List.of(pod("x", Map.of("app", "t"))))).isEmpty();
    }
}
