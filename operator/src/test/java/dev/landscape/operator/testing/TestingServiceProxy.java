package dev.landscape.operator.testing;

import dev.landscape.apiserver.network.ServiceEndpoints;
import dev.landscape.apiserver.network.ServiceProxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Stands in for cluster DNS and the Service's port mapping, the only part of the path from a sidecar to the
 * operator that cannot exist on one machine: HTTP clients that use the JVM's default proxy selector (the JDK
 * client the sidecar uses does) tunnel connections to {@code service:443} through the embedded API server's
 * loopback CONNECT proxy ({@link ServiceProxy}, the one the demo's pods use) to the operator's HTTPS port. TLS runs
 * end to end inside the tunnel, so the certificate is still checked against the Service's DNS name. Installed for
 * the duration of one test, then the previous selector is restored.
 */
public final class TestingServiceProxy implements AutoCloseable {

    private final ServiceProxy proxy;
    private final ProxySelector previous;

    /** Routes {@code service} ({@code <name>.<namespace>.svc}, port 443) to {@code 127.0.0.1:targetPort}. */
    public TestingServiceProxy(String service, int targetPort) throws IOException {
        String[] parts = service.split("\\.");
        ServiceEndpoints endpoints = new ServiceEndpoints();
        endpoints.register(parts[1], parts[0], 443, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        this.proxy = new ServiceProxy(endpoints);
        Proxy http = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()));
        this.previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return service.equals(uri.getHost()) ? List.of(http) : previous == null ? List.of(Proxy.NO_PROXY) : previous.select(uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {
            }
        });
    }

    @Override
    public void close() throws IOException {
        ProxySelector.setDefault(previous);
        proxy.close();
    }
}
