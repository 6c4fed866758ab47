package io.dalva.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {

    private final NoDelaySocketFactory factory = new NoDelaySocketFactory();

    @Test
    void unconnectedSocketsAsOkHttpCreatesThemHaveNagleOff() throws Exception {
        try (Socket socket = factory.createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void connectedSocketsHaveNagleOff() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 4, loopback);
                Socket byAddress = factory.createSocket(loopback, server.getLocalPort());
                Socket byName = factory.createSocket(loopback.getHostAddress(), server.getLocalPort())) {
            assertThat(byAddress.getTcpNoDelay()).isTrue();
            assertThat(byName.getTcpNoDelay()).isTrue();
        }
    }

}
