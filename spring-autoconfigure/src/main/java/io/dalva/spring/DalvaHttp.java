package io.dalva.spring;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.ExecutorService;

import javax.net.SocketFactory;

import io.dalva.client.DalvaClient;
import okhttp3.OkHttpClient;

/**
 * The application's HTTP connection to the Dalva server: a {@link DalvaClient} over an
 * OkHttp client of our own, so that its requests feed the {@link ServerAnswers} and so
 * that {@link #close()} can release everything OkHttp holds for it: requests still in
 * flight are cancelled (a hanging server cannot hold a thread past the shutdown), pooled
 * connections are closed and the dispatcher's executor is shut down. (OkHttp's shared
 * task runner and Okio's watchdog are daemons that end on their own a minute after their
 * last use.)
 */
final class DalvaHttp implements AutoCloseable {

    private final OkHttpClient http;

    private final DalvaClient client;

    private final ServerAnswers status = new ServerAnswers();

    DalvaHttp(DalvaProperties properties, String serverUrl) {
        this.http = new OkHttpClient.Builder().addInterceptor(this.status)
            .socketFactory(new NoDelaySocketFactory())
            .build();
        DalvaClient.Builder builder = DalvaClient.builder()
            .okHttpClient(this.http)
            .serverUrl(serverUrl)
            .connectTimeout(properties.getConnectTimeout())
            .readTimeout(properties.getReadTimeout())
            .callTimeout(properties.getCallTimeout());
        properties.getHeaders().forEach(builder::header);
        this.client = builder.build();
    }

    DalvaClient client() {
        return this.client;
    }

    ServerAnswers status() {
        return this.status;
    }

    @Override
    public void close() {
        this.client.close();
        this.http.dispatcher().cancelAll();
        this.http.connectionPool().evictAll();
        ExecutorService executor = this.http.dispatcher().executorService();
        executor.shutdown();
    }

    /**
     * Plain sockets with {@code TCP_NODELAY}, as the client's own OkHttp client has them:
     * a request body over one 8 KiB buffer otherwise waits for the server's delayed ACK
     * (about 40 ms on Linux).
     */
    private static final class NoDelaySocketFactory extends SocketFactory {

        private final SocketFactory delegate = SocketFactory.getDefault();

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(this.delegate.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(this.delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(this.delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(this.delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(this.delegate.createSocket(address, port, localAddress, localPort));
        }

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }

    }

}
