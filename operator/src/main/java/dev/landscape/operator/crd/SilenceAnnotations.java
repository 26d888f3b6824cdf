package dev.landscape.operator.crd;

/**
 * The ad-hoc mute: two annotations on a LandscapeProbe that silence all of its findings until a time, written by
 * {@code kubectl landscape silence} or by hand ({@code kubectl annotate lp NAME landscape.dev/silenced-until=...}).
 * Planned windows belong in {@code spec.silences} instead, where they are reviewed with the rest of the spec.
 */
public final class SilenceAnnotations {

    /** RFC 3339 end of the mute; a past time mutes nothing. */
    public static final String UNTIL = "landscape.dev/silenced-until";
    /** Why (free text). */
    public static final String REASON = "landscape.dev/silence-reason";

    private SilenceAnnotations() {
    }
}
