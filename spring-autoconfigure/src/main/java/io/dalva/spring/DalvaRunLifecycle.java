package io.dalva.spring;

import io.dalva.micrometer.DalvaMeterRegistry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ExitCodeEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Ends the auto-configured registry's run when the application context goes away:
 * completed after a normal close, failed when the application failed. The application
 * failed when it published an {@link ApplicationFailedEvent} (a runner or a listener of
 * the start threw), when it is about to exit with a non-zero code
 * ({@link ExitCodeEvent}), or when its beans are destroyed without the context having
 * been closed (the context's refresh failed).
 * <p>
 * Takes the place of the registry's own destroy method, which cannot tell a failure from
 * a normal close.
 */
final class DalvaRunLifecycle implements ApplicationListener<ApplicationEvent>, ApplicationContextAware, DisposableBean {

    private ApplicationContext applicationContext;

    private volatile DalvaMeterRegistry registry;

    private volatile boolean contextClosed;

    private volatile Throwable failure;

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    /**
     * Makes this lifecycle close the given registry.
     * @param registry the registry to end with the context
     * @return the registry
     */
    DalvaMeterRegistry manage(DalvaMeterRegistry registry) {
        this.registry = registry;
        return registry;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationFailedEvent failed && failed.getApplicationContext() == this.applicationContext) {
            this.failure = failed.getException();
        }
        else if (event instanceof ExitCodeEvent exit && exit.getSource() == this.applicationContext
                && exit.getExitCode() != 0 && this.failure == null) {
            this.failure = new IllegalStateException("Application exits with code " + exit.getExitCode());
        }
        else if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.applicationContext) {
            this.contextClosed = true;
        }
    }

    @Override
    public void destroy() {
        DalvaMeterRegistry registry = this.registry;
        if (registry == null) {
            return;
        }
        Throwable failure = this.failure;
        if (failure == null && !this.contextClosed) {
            failure = new IllegalStateException("Application context failed to start");
        }
        if (failure != null) {
            registry.fail(failure);
        }
        else {
            registry.close();
        }
    }

}
