package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;

import java.util.List;

/** The LandscapeProbes of a namespace, as the webhook sees them; a cache in production, a list in tests. */
@FunctionalInterface
public interface ProbeCatalog {

    List<LandscapeProbe> probesIn(String namespace);
}
