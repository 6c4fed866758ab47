package io.dalva.client.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * Every default of the project, and the environment lookups behind them, in one place:
 * {@code DalvaClient}, {@code DalvaRun}'s builder, {@code DalvaConfig} and the Spring
 * Boot properties all read them here, and a test checks that they agree.
 */
public final class Defaults {

    /**
     * Environment variable read for the default server URL, as Dalva's Python SDK does.
     */
    public static final String SERVER_URL_ENV = "DALVA_SERVER_URL";

    /**
     * The server URL when neither the configuration nor {@link #SERVER_URL_ENV} gives
     * one.
     */
    public static final String SERVER_URL = "http://localhost:8000";

    /** Time allowed to open a connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Time allowed between bytes of a response (and of a request body). */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** Time allowed for a whole request. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    /** The most closing a run (or the registry) waits for delivery. */
    public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    /** The most a run's journal segment file (its memory-mapped buffer) holds. */
    public static final int SPOOL_SEGMENT_BYTES = 1 << 20;

    /** The most a run's undelivered journal may hold; beyond it values are dropped. */
    public static final long MAX_SPOOL_BYTES = 256L << 20;

    /** The most metric values in one request (the server stores ~250 values a second). */
    public static final int MAX_BATCH_VALUES = 500;

    /**
     * How long one metrics request should keep the server busy (Dalva stores about 5 ms
     * per value: a few hundred values).
     */
    public static final Duration TARGET_REQUEST_TIME = Duration.ofMillis(1500);

    /** The first retry's delay; each retry doubles it, up to {@link #RETRY_MAX}. */
    public static final Duration RETRY_INITIAL = Duration.ofMillis(250);

    /** The longest delay between two retries. */
    public static final Duration RETRY_MAX = Duration.ofSeconds(30);

    /** How often a journal is forced to the storage device. */
    public static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);

    /** The registry's step. */
    public static final Duration STEP = Duration.ofSeconds(10);

    /**
     * System property that moves the default spool folder (our own build points it into
     * {@code target/}).
     */
    public static final String SPOOL_DIRECTORY_PROPERTY = "dalva.spool.directory";

    private Defaults() {
    }

    /**
     * The server URL: {@link #SERVER_URL_ENV} when set and not blank, else
     * {@link #SERVER_URL}.
     */
    public static String serverUrl() {
        return serverUrl(System::getenv);
    }

    /**
     * The server URL as {@link #serverUrl()} finds it, reading the environment through
     * {@code environment} (a test passes its own).
     */
    public static String serverUrl(Function<String, String> environment) {
        String fromEnvironment = environment.apply(SERVER_URL_ENV);
        return (fromEnvironment != null && !fromEnvironment.isBlank()) ? fromEnvironment.strip() : SERVER_URL;
    }

    /**
     * The spool folder: the system property {@link #SPOOL_DIRECTORY_PROPERTY}, else
     * {@code ~/.dalva/java-spool}.
     */
    public static Path spoolDirectory() {
        String property = System.getProperty(SPOOL_DIRECTORY_PROPERTY);
        return (property != null && !property.isBlank()) ? Path.of(property)
                : Path.of(System.getProperty("user.home"), ".dalva", "java-spool");
    }

}
