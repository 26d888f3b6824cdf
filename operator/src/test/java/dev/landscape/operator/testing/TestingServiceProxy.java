package dev.landscape.operator.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Stands in for cluster DNS and the Service's port mapping, the only part of the path from a sidecar to the
 * operator that cannot exist on one machine: HTTP clients that use the JVM's default proxy selector (the JDK
 * client the sidecar uses does) tunnel connections to {@code service:443} through this loopback CONNECT proxy to
 * the operator's HTTPS port. TLS runs end to end inside the tunnel, so the certificate is still checked against the
 * Service's DNS name. Installed for the duration of one test, then the previous selector is restored.
 */
public final class TestingServiceProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final String service;
    private final int targetPort;
    private final ProxySelector previous;

    /** Routes {@code service} (any port) to {@code 127.0.0.1:targetPort}. */
    public TestingServiceProxy(String service, int targetPort) throws IOException {
        this.service = service;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "testing-service-proxy");
        accept.setDaemon(true);
        accept.start();
        Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
        this.previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return service.equals(uri.getHost()) ? List.of(proxy) : previous == null ? List.of(Proxy.NO_PROXY) : previous.select(uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {
            }
        });
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread t = new Thread(() -> tunnel(client), "testing-service-proxy-tunnel");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void tunnel(Socket client) {
        try (client; Socket operator = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            String request = head(client.getInputStream());
            if (!request.startsWith("CONNECT " + service + ":")) {
                client.getOutputStream().write("HTTP/1.1 403 Forbidden\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            client.getOutputStream().write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            Thread up = new Thread(() -> pipe(client, operator), "testing-service-proxy-up");
            up.setDaemon(true);
            up.start();
            pipe(operator, client);
            up.join();
        } catch (IOException | InterruptedException e) {
            // the client or the operator closed the connection
        }
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the CONNECT request");
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        ProxySelector.setDefault(previous);
        listener.close();
    }
}
