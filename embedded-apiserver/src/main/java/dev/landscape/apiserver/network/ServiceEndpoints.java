package dev.landscape.apiserver.network;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a Service's port is served on this machine. On a cluster kube-apiserver dials the Service's cluster IP; here
 * the process behind it listens on a free loopback port, so whoever starts that process says which. The name a
 * webhook's certificate is checked against stays {@code <service>.<namespace>.svc}.
 */
public final class ServiceEndpoints {

    private final Map<String, InetSocketAddress> endpoints = new ConcurrentHashMap<>();

    public void register(String namespace, String service, int port, InetSocketAddress address) {
        endpoints.put(key(namespace, service, port), address);
    }

    public Optional<InetSocketAddress> resolve(String namespace, String service, int port) {
        return Optional.ofNullable(endpoints.get(key(namespace, service, port)));
    }

    private static String key(String namespace, String service, int port) {
        return namespace + "/" + service + ":" + port;
    }
}
