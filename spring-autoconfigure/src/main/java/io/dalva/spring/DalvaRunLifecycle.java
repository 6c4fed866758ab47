package io.dalva.spring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.dalva.internal.logging.Log;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.micrometer.StepMode;
import io.dalva.run.DalvaRun;
import io.micrometer.core.instrument.util.NamedThreadFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ExitCodeEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.Ordered;

/**
 * The application's run from start to end, with the server never in the way of the
 * application:
 * <ul>
 * <li><b>Start.</b> Once the context is refreshed (the web server has its port), a daemon
 * thread named {@code dalva-run-start} opens the run (in timed mode by publishing a first
 * step), starts the registry's publishing and logs the run's id and its address in
 * Dalva's UI; then a daemon thread named {@code dalva-recovery} recovers the runs that
 * dead processes left in the spool ({@link SpoolRecovery}).</li>
 * <li><b>End.</b> On the context's {@link ContextClosedEvent} (before Spring Boot's own
 * listener closes every meter registry), or at the latest when the beans are destroyed, a
 * daemon thread named {@code dalva-run-end} publishes the final step and finishes the
 * run: completed, or failed when the application failed (an
 * {@link ApplicationFailedEvent}, an exit with a non-zero code ({@link ExitCodeEvent}), a
 * refresh that failed), with the failure's class and message in the run's configuration.
 * The shutdown waits for it at most {@code dalva.shutdown-timeout}; past it, requests in
 * flight are cancelled and what is not delivered stays in the spool (recovered by the
 * next start). Spring Boot's own closing of every meter registry finds the registry
 * closing and returns at once.</li>
 * </ul>
 */
final class DalvaRunLifecycle
        implements ApplicationListener<ApplicationEvent>, ApplicationContextAware, Ordered, DisposableBean {

    private static final Log logger = Log.of(DalvaRunLifecycle.class);

    private final DalvaHttp http;

    private final DalvaPropertiesConfigAdapter config;

    private final RunIdentity identity;

    private final SpoolRecovery recovery;

    private final Duration shutdownTimeout;

    private final AtomicBoolean started = new AtomicBoolean();

    private final AtomicBoolean ended = new AtomicBoolean();

    private ApplicationContext applicationContext;

    private volatile DalvaMeterRegistry registry;

    private volatile Throwable failure;

    private volatile String state = "not open yet";

    private volatile Thread starter;

    /**
     * @param http the application's connection to the server, closed at the end
     * @param config the registry's configuration when it is the auto-configured one (its
     * export is then switched on at start and off after the end), else {@code null}
     * @param identity the run's name and configuration
     * @param recovery the recovery of runs left in the spool
     * @param shutdownTimeout the most the application's shutdown waits for the run to end
     */
    DalvaRunLifecycle(DalvaHttp http, DalvaPropertiesConfigAdapter config, RunIdentity identity, SpoolRecovery recovery,
            Duration shutdownTimeout) {
        this.http = http;
        this.config = config;
        this.identity = identity;
        this.recovery = recovery;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    /**
     * Makes this lifecycle start and end the given registry and its run.
     * @param registry the registry
     * @return the registry
     */
    DalvaMeterRegistry manage(DalvaMeterRegistry registry) {
        this.registry = registry;
        return registry;
    }

    /** The run's state as this application sees it, for the actuator. */
    String state() {
        return this.state;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ContextRefreshedEvent refreshed
                && refreshed.getApplicationContext() == this.applicationContext) {
            start();
        }
        else if (event instanceof ApplicationFailedEvent failed
                && failed.getApplicationContext() == this.applicationContext) {
            this.failure = failed.getException();
        }
        else if (event instanceof ExitCodeEvent exit && exit.getSource() == this.applicationContext
                && exit.getExitCode() != 0 && this.failure == null) {
            this.failure = new ApplicationFailure("the application exits with code " + exit.getExitCode());
        }
        else if (event instanceof ContextClosedEvent closed
                && closed.getApplicationContext() == this.applicationContext) {
            end(this.failure);
        }
    }

    /**
     * Runs before Spring Boot's listener that closes meter registries on
     * {@link ContextClosedEvent}.
     */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void destroy() {
        Throwable failure = this.failure;
        end((failure != null) ? failure : new ApplicationFailure("the application context failed to start"));
    }

    private void start() {
        DalvaMeterRegistry registry = this.registry;
        if (registry == null || !this.started.compareAndSet(false, true)) {
            return;
        }
        this.state = "opening";
        Thread thread = new Thread(() -> {
            if (this.config != null) {
                this.config.startExporting();
                if (this.config.stepMode() == StepMode.TIMED) {
                    registry.step();
                    registry.start(new NamedThreadFactory("dalva-metrics-publisher"));
                }
            }
            DalvaRun run = registry.run();
            if (run != null && run.awaitCreated(this.shutdownTimeout)) {
                this.state = "running";
                logger.info("Dalva run {} ({}) of project {} is open: {}.", run.runId(), run.name(), run.project(),
                        uiUrl(run));
            }
            else if (run != null) {
                this.state = "running";
                logger.info("Dalva run {} of project {} is open; the server has not created it yet (its data is "
                        + "spooled and follows when the server answers).", run.name(), run.project());
            }
            else if (this.config != null && this.config.stepMode() == StepMode.MANUAL) {
                this.state = "opens at the first step";
            }
            else {
                this.state = "not open yet (server unreachable; retried at each step)";
            }
            Thread recovery = new Thread(
                    () -> this.recovery.recover((run != null) ? run.spoolDirectory() : null, this.ended::get),
                    "dalva-recovery");
            recovery.setDaemon(true);
            recovery.start();
        }, "dalva-run-start");
        thread.setDaemon(true);
        this.starter = thread;
        thread.start();
    }

    private void end(Throwable failure) {
        if (!this.ended.compareAndSet(false, true)) {
            return;
        }
        DalvaMeterRegistry registry = this.registry;
        Map<String, String> failureConfig = (failure != null) ? this.identity.failureConfig(failure) : Map.of();
        if (this.config != null && failure != null) {
            this.config.recordFailure(failureConfig);
            // a failed start still gets its run, marked failed
            this.config.startExporting();
        }
        Thread starter = this.starter;
        Thread ender = new Thread(() -> {
            try {
                if (starter != null) {
                    // the run being opened gets the failure; bounded by the join below
                    starter.join();
                }
                if (registry != null) {
                    endRun(registry, failure, failureConfig);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            finally {
                this.http.close();
            }
        }, "dalva-run-end");
        ender.setDaemon(true);
        ender.start();
        try {
            ender.join(this.shutdownTimeout.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (ender.isAlive()) {
            this.state = "ending: did not end within dalva.shutdown-timeout";
            logger.warn("The Dalva run did not end within dalva.shutdown-timeout ({}): the application goes on"
                    + " shutting down and what the server has not stored stays in the spool, recovered at the next"
                    + " start.", this.shutdownTimeout);
            this.http.close();
        }
    }

    private void endRun(DalvaMeterRegistry registry, Throwable failure, Map<String, String> failureConfig) {
        DalvaRun open = registry.run();
        if (failure != null) {
            if (open != null) {
                try {
                    open.logConfig(failureConfig);
                }
                catch (RuntimeException ex) {
                    logger.debug("Could not record the failure in the run's configuration: {}.", ex.toString());
                }
            }
            registry.fail(new ApplicationFailure(describe(failure)));
        }
        else {
            registry.close();
        }
        DalvaRun run = registry.run();
        String state = (failure != null) ? "failed" : "completed";
        if (run == null) {
            this.state = "never opened";
            logger.info("No Dalva run was opened: the server at {} did not answer.", this.http.client().serverUrl());
            return;
        }
        this.state = state;
        Path spool = run.spoolDirectory();
        if (spool != null && Files.exists(spool)) {
            logger.info("Dalva run {} ended {}; what the server has not stored yet stays in {} and is delivered"
                    + " at the next start.", run.runId(), state, spool);
        }
        else {
            logger.info("Dalva run {} ended {}; every step was delivered.", run.runId(), state);
        }
    }

    /** One line about a failure: its class and message. */
    static String describe(Throwable failure) {
        if (failure instanceof ApplicationFailure) {
            return failure.getMessage();
        }
        return failure.getClass().getName() + ((failure.getMessage() != null) ? ": " + failure.getMessage() : "");
    }

    /** The run's address in Dalva's web UI. */
    static String uiUrl(DalvaRun run) {
        String base = run.client().serverUrl();
        return (base.endsWith("/") ? base : base + "/") + "runs/" + run.id();
    }

    /**
     * A failure described by a message only: handed to the registry so that its log line
     * carries no stack trace of ours (Spring Boot logs the application's own failure).
     */
    static final class ApplicationFailure extends RuntimeException {

        ApplicationFailure(String message) {
            super(message, null, false, false);
        }

    }

}
