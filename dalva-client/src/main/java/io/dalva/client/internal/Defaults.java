package io.dalva.client.internal;

import java.nio.file.Path;
import java.time.Duration;

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
        String fromEnvironment = System.getenv(SERVER_URL_ENV);
        return (fromEnvironment != null && !fromEnvironment.isBlank()) ? fromEnvironment.trim() : SERVER_URL;
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
