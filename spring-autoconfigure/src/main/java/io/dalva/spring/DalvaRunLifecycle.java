package io.dalva.spring;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.dalva.client.DalvaClient;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.internal.logging.Log;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ExitCodeEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * Ends the auto-configured registry's run with the application context: completed after a
 * normal close, failed when the application failed. The application failed when it
 * published an {@link ApplicationFailedEvent} (a runner or a listener of the start
 * threw), when it exits with a non-zero code ({@link ExitCodeEvent}), or when its beans
 * are destroyed without the context having been closed (the context's refresh failed).
 * <p>
 * The run is ended on the context's {@link ContextClosedEvent}, before Spring Boot's own
 * listener closes every meter registry (which would finish the run as completed), or at
 * the latest when the beans are destroyed. Ending it (the final step, then finishing the
 * run, then closing the client) runs on a daemon thread named {@code dalva-run-end}; the
 * application's shutdown waits for it at most {@code dalva.shutdown-timeout}, so that a
 * slow or unreachable server never holds the application up.
 */
final class DalvaRunLifecycle
        implements ApplicationListener<ApplicationEvent>, ApplicationContextAware, Ordered, DisposableBean {

    private static final Log logger = Log.of(DalvaRunLifecycle.class);

    private final Duration shutdownTimeout;

    private final AtomicBoolean ended = new AtomicBoolean();

    private ApplicationContext applicationContext;

    private volatile DalvaClient client;

    private volatile DalvaMeterRegistry registry;

    private volatile Throwable failure;

    /**
     * @param shutdownTimeout the most the application's shutdown waits for the run to end
     */
    DalvaRunLifecycle(Duration shutdownTimeout) {
        if (shutdownTimeout == null || shutdownTimeout.isZero() || shutdownTimeout.isNegative()) {
            throw new InvalidConfigurationPropertyValueException("dalva.shutdown-timeout", shutdownTimeout,
                    "must be a positive duration");
        }
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    /**
     * Makes this lifecycle close the given client, after the registry.
     * @param client the client of the registry
     * @return the client
     */
    DalvaClient manage(DalvaClient client) {
        this.client = client;
        return client;
    }

    /**
     * Makes this lifecycle end the given registry and its run.
     * @param registry the registry to end with the context
     * @return the registry
     */
    DalvaMeterRegistry manage(DalvaMeterRegistry registry) {
        this.registry = registry;
        return registry;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationFailedEvent failed
                && failed.getApplicationContext() == this.applicationContext) {
            this.failure = failed.getException();
        }
        else if (event instanceof ExitCodeEvent exit && exit.getSource() == this.applicationContext
                && exit.getExitCode() != 0 && this.failure == null) {
            this.failure = new IllegalStateException("Application exits with code " + exit.getExitCode());
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
        end((failure != null) ? failure : new IllegalStateException("Application context failed to start"));
    }

    private void end(Throwable failure) {
        if (!this.ended.compareAndSet(false, true)) {
            return;
        }
        DalvaMeterRegistry registry = this.registry;
        DalvaClient client = this.client;
        Thread ender = new Thread(() -> {
            try {
                if (registry != null && failure != null) {
                    registry.fail(failure);
                }
                else if (registry != null) {
                    registry.close();
                }
            }
            finally {
                if (client != null) {
                    client.close();
                }
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
            logger.warn("The Dalva run did not end within dalva.shutdown-timeout (" + this.shutdownTimeout
                    + "); the application goes on shutting down, and the run ends if the server answers before"
                    + " the JVM exits");
        }
    }

}
