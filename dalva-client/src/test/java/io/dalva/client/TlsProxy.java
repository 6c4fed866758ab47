package io.dalva.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS-terminating reverse proxy in front of a plain-HTTP server, as users put in front
 * of Dalva: HTTPS with a self-signed certificate, the server mounted under
 * {@link #PREFIX}, and an {@code Authorization} header required (401 with an HTML page
 * without it).
 */
final class TlsProxy implements AutoCloseable {

    /** The path the proxied server is mounted under. */
    static final String PREFIX = "/dalva";

    /**
     * A self-signed certificate for 127.0.0.1 and localhost, valid until 2126, made with
     * {@code keytool -genkeypair -alias proxy -keyalg EC -groupname secp256r1 -dname CN=localhost
     * -ext SAN=ip:127.0.0.1,dns:localhost -validity 36500 -storetype PKCS12 -storepass changeit}.
     */
    private static final String KEY_STORE = "tls-proxy.p12";

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final HttpsServer server;

    private final KeyStore keyStore;

    private final HttpClient upstream = HttpClient.newHttpClient();

    private TlsProxy(String target, String requiredAuthorization) throws Exception {
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsProxy.class.getResourceAsStream(KEY_STORE)) {
            keyStore.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext(PREFIX + "/", exchange -> forward(exchange, target, requiredAuthorization));
        server.start();
    }

    static TlsProxy start(String target, String requiredAuthorization) throws Exception {
        return new TlsProxy(target, requiredAuthorization);
    }

    /** The proxied server's URL: {@code https://127.0.0.1:<port>/dalva}. */
    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
    }

    /** A trust manager that trusts the proxy's self-signed certificate. */
    X509TrustManager trustManager() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore);
        return (X509TrustManager) trust.getTrustManagers()[0];
    }

    SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] { trustManager() }, null);
        return context;
    }

    private void forward(HttpExchange exchange, String target, String requiredAuthorization) throws IOException {
        try (exchange) {
            if (!requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                byte[] page = "<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center><hr><center>nginx</center></body></html>"
                    .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html");
                exchange.sendResponseHeaders(401, page.length);
                exchange.getResponseBody().write(page);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            String pathAndQuery = exchange.getRequestURI().getRawPath().substring(PREFIX.length())
                    + (exchange.getRequestURI().getRawQuery() == null ? ""
                            : "?" + exchange.getRequestURI().getRawQuery());
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers()
                .firstValue("Content-Type")
                .ifPresent(t -> exchange.getResponseHeaders().set("Content-Type", t));
            exchange.sendResponseHeaders(response.statusCode(),
                    response.body().length == 0 ? -1 : response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(502, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
