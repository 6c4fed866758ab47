package io.dalva.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A server ({@link LoopbackSink} or {@link TestServerMain}) running in a child JVM on the
 * benchmark's class path, so that the server's threads, CPU time and allocations stay out
 * of the measured JVM ({@code -prof gc} counts the allocations of every thread of the
 * JVM). The child prints {@code LISTENING <port>} once it accepts connections and exits
 * when its standard input closes, so it never outlives the benchmark fork.
 */
final class ChildJvm implements AutoCloseable {

    private static final String READY = "LISTENING ";

    private final Process process;

    private final int port;

    private ChildJvm(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code mainClass} in a child JVM and waits until it listens. */
    static ChildJvm start(Class<?> mainClass, String maxHeap) {
        return start(mainClass, maxHeap, List.of());
    }

    /**
     * Starts {@code mainClass} in a child JVM with these JVM options
     * ({@code -Dname=value}) and waits until it listens.
     */
    static ChildJvm start(Class<?> mainClass, String maxHeap, List<String> jvmOptions) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // nodelay: without it the JDK server's Nagle delay meets the client's delayed
        // ACK, 40 ms a request
        List<String> command = new ArrayList<>(
                List.of(java, "-Xmx" + maxHeap, "-XX:+UseParallelGC", "-Dsun.net.httpserver.nodelay=true"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith(READY)) {
                process.destroyForcibly();
                throw new IllegalStateException(mainClass.getSimpleName() + " did not start: " + line);
            }
            return new ChildJvm(process, Integer.parseInt(line.substring(READY.length()).trim()));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * In the child: starts the server, announces its port, and lives until stdin closes.
     */
    static void serve(Callable<Integer> server) {
        try {
            int port = server.call();
            System.out.println(READY + port);
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent keeps the pipe open while it lives
            }
        }
        catch (Exception e) {
            e.printStackTrace();
        }
        System.exit(0);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * A GET or POST with an empty body to {@code path} on the child; returns the body.
     * Through {@link HttpURLConnection}, which starts no thread of its own in the
     * measured JVM for it.
     */
    String call(String method, String path) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url() + path).toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(10_000);
            if (method.equals("POST")) {
                connection.setDoOutput(true);
                connection.getOutputStream().close();
            }
            try (InputStream body = connection.getInputStream()) {
                return new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (IOException e) {
            process.destroyForcibly();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

}
