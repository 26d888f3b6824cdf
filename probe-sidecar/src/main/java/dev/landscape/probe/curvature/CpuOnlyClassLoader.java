package dev.landscape.probe.curvature;

import org.nd4j.common.config.ND4JClassLoading;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;

/**
 * A class loader that answers ND4J's backend discovery ({@code ServiceLoader<Nd4jBackend>} through
 * {@link ND4JClassLoading}) with the CPU backend only and delegates everything else. ND4J ranks backends by
 * priority (CUDA 100, CPU 0) and otherwise reads the priorities only from environment variables, which a running
 * JVM cannot set; this works in the shaded jar too, where the backends' service files are merged into one.
 */
final class CpuOnlyClassLoader extends ClassLoader {

    static final String SERVICE = "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend";
    static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    private CpuOnlyClassLoader(ClassLoader parent) {
        super(parent);
    }

    static void install() {
        ND4JClassLoading.setNd4jClassloader(new CpuOnlyClassLoader(ND4JClassLoading.getNd4jClassloader()));
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (SERVICE.equals(name)) {
            return Collections.enumeration(Collections.singletonList(serviceUrl()));
        }
        return super.getResources(name);
    }

    static URL serviceUrl() throws IOException {
        byte[] content = (CPU_BACKEND + "\n").getBytes(StandardCharsets.UTF_8);
        return new URL(null, "landscape-backend:" + SERVICE, new URLStreamHandler() {
            @Override
            protected URLConnection openConnection(URL u) {
                return new URLConnection(u) {
                    @Override
                    public void connect() {
                    }

                    @Override
                    public InputStream getInputStream() {
                        return new ByteArrayInputStream(content);
                    }
                };
            }
        });
    }
}
