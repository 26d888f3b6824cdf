package dev.landscape.apiserver.network;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy tunnels a registered Service's port to where it is served, and refuses any other destination. */
class ServiceProxyTest {

    @Test
    void aRegisteredServiceIsTunnelledAndAnythingElseRefused() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = echo.accept()) {
                    s.getOutputStream().write(s.getInputStream().readNBytes(4));
                } catch (Exception ignored) {
                    // the test fails on what the client reads
                }
            });
            server.start();
            ServiceEndpoints endpoints = new ServiceEndpoints();
            endpoints.register("ns", "svc", 443, new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
            try (ServiceProxy proxy = new ServiceProxy(endpoints)) {

                String tunnelled = exchange(proxy.port(), "CONNECT svc.ns.svc:443 HTTP/1.1\r\nHost: svc.ns.svc:443\r\n\r\n", "ping");
                String refused = exchange(proxy.port(), "CONNECT other.ns.svc:443 HTTP/1.1\r\nHost: other.ns.svc:443\r\n\r\n", "");

                assertThat(tunnelled).startsWith("HTTP/1.1 200 Connection Established\r\n\r\n").endsWith("ping");
                assertThat(refused).startsWith("HTTP/1.1 403 Forbidden");
            }
            server.join(5000);
        }
    }

    private static String exchange(int port, String connect, String payload) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(connect.getBytes(StandardCharsets.US_ASCII));
            out.write(payload.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
