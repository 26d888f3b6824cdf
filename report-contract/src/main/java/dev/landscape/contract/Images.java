package dev.landscape.contract;

/**
 * The images this project publishes, named once. The operator's default sidecar image is {@link #SIDECAR}; everything
 * else that names an image — {@code deploy/}, the Dockerfiles' build commands, the docs — is checked against these
 * by {@code ImageNamesTest}, so a rename or a release bump that misses one fails the build. The tag is the release
 * version (the Maven version without {@code -SNAPSHOT}).
 */
public final class Images {

    public static final String REGISTRY = "ghcr.io/landscape-dev";
    public static final String TAG = "0.1.0";
    /** The operator (Quarkus JVM image, {@code operator/src/main/docker/Dockerfile.jvm}). */
    public static final String OPERATOR = REGISTRY + "/landscape-operator:" + TAG;
    /** The sidecar, CPU backend ({@code probe-sidecar/docker/Dockerfile}). */
    public static final String SIDECAR = REGISTRY + "/landscape-probe:" + TAG;
    /** The sidecar with ND4J's CUDA 11.6 backend ({@code probe-sidecar/docker/Dockerfile.cuda}). */
    public static final String SIDECAR_CUDA = SIDECAR + "-cuda11.6";

    private Images() {
    }
}
