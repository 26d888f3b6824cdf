package dev.landscape.operator.reconcile;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.SilenceAnnotations;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a LandscapeProbe reconcile it at once: a new generation (a spec change), the start of its
 * deletion, or a change of the ad-hoc silence annotations (which do not bump the generation). Status writes and
 * other metadata do not, as with the SDK's generation-aware default, which this replaces.
 */
public class SilenceOrSpecChanged implements OnUpdateFilter<LandscapeProbe> {

    @Override
    public boolean accept(LandscapeProbe updated, LandscapeProbe old) {
        return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || updated.isMarkedForDeletion()
                || !Objects.equals(silence(updated), silence(old));
    }

    private static String silence(LandscapeProbe p) {
        Map<String, String> a = p.getMetadata().getAnnotations();
        return a == null ? null : a.get(SilenceAnnotations.UNTIL) + "|" + a.get(SilenceAnnotations.REASON);
    }
}
