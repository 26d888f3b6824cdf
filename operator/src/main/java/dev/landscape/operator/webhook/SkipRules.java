package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Pods the webhook leaves alone before looking at any probe. These duplicate the webhook configuration's namespace
 * and object selectors on purpose: a hand-edited configuration, or an annotation (which object selectors cannot
 * see), must not lead to a sidecar in the operator's own pods or a second sidecar in a pod.
 */
public final class SkipRules {

    private SkipRules() {
    }

    public static Optional<String> leaveAlone(Pod pod, String namespace, String operatorNamespace) {
        if (namespace != null && namespace.equals(operatorNamespace)) {
            return Optional.of("pod is in the operator's namespace " + operatorNamespace);
        }
        Map<String, String> annotations = orEmpty(pod.getMetadata().getAnnotations());
        Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
        if ("false".equals(annotations.get(InjectionAnnotations.INJECT)) || "false".equals(labels.get(InjectionAnnotations.INJECT))) {
            return Optional.of("pod opted out with " + InjectionAnnotations.INJECT + "=false");
        }
        if (annotations.containsKey(InjectionAnnotations.INJECTED)) {
            return Optional.of("pod was already injected by probe " + annotations.get(InjectionAnnotations.INJECTED));
        }
        List<Container> init = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        List<Container> main = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        if (Stream.concat(init.stream(), main.stream()).anyMatch(c -> LandscapeProbe.SIDECAR_CONTAINER.equals(c.getName()))) {
            return Optional.of("pod already has a container named " + LandscapeProbe.SIDECAR_CONTAINER);
        }
        return Optional.empty();
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
