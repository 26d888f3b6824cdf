package dev.landscape.apiserver.network;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cluster DNS and kube-proxy for processes that stand in for pods: an HTTP CONNECT proxy on a loopback port that tunnels
 * {@code <service>.<namespace>.svc:<port>} to where that Service's port is served on this machine (as registered
 * in {@link ServiceEndpoints}). A JVM given it as its HTTPS proxy still asks for {@code https://<service>.<namespace>.svc/...}:
 * TLS runs end to end inside the tunnel and the server's certificate is checked against the Service's DNS name, as in
 * a pod. Anything else is refused (403).
 */
public final class ServiceProxy implements AutoCloseable {

    private static final Pattern CONNECT = Pattern.compile("^CONNECT ([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc(?:\\.cluster\\.local)?:(\\d+) HTTP/1\\.[01]\r\n");

    private final ServerSocket listener;
    private final ServiceEndpoints endpoints;

    public ServiceProxy(ServiceEndpoints endpoints) throws IOException {
        this.endpoints = endpoints;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "service-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread t = new Thread(() -> tunnel(client), "service-proxy-tunnel");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void tunnel(Socket client) {
        try (client) {
            String head = head(client.getInputStream());
            Matcher m = CONNECT.matcher(head);
            Optional<InetSocketAddress> target = m.find()
                    ? endpoints.resolve(m.group(2), m.group(1), Integer.parseInt(m.group(3))) : Optional.empty();
            if (target.isEmpty()) {
                client.getOutputStream().write("HTTP/1.1 403 Forbidden\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            try (Socket service = new Socket(target.get().getAddress(), target.get().getPort())) {
                client.getOutputStream().write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                splice(client, service);
            }
        } catch (IOException | InterruptedException e) {
            // one side closed the connection
        }
    }

    /** Copies bytes both ways between two connected sockets until both directions have ended. */
    public static void splice(Socket a, Socket b) throws InterruptedException {
        Thread up = new Thread(() -> pipe(a, b), "splice-up");
        up.setDaemon(true);
        up.start();
        pipe(b, a);
        up.join();
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the CONNECT request");
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
        } catch (IOException closed) {
            // the other side is gone
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
