package io.dalva.test;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * JUnit 5 extension that runs a {@link DalvaTestServer} and injects it, or its URL, into
 * test constructors and methods.
 *
 * <p>
 * <b>One server per test class</b> (the default):
 * {@code @ExtendWith(DalvaTestServerExtension.class)} on the class, or
 * {@code @RegisterExtension static DalvaTestServerExtension dalva =
 * DalvaTestServerExtension.perClass();}. The server starts before the class's first test
 * and closes after its last; {@code @Nested} classes share it. Data is kept from test to
 * test (give each test its own project or run), but before each test a stopped server is
 * restarted, injected faults are reset and the request log is cleared.
 *
 * <p>
 * <b>One server per test</b>: {@code @RegisterExtension DalvaTestServerExtension dalva =
 * DalvaTestServerExtension.perTest();} (an instance field). Every test gets a fresh,
 * empty server, closed after it.
 *
 * <pre>{@code
 * &#64;ExtendWith(DalvaTestServerExtension.class)
 * class TrainingTest {
 *

&#64;Test
 *     void logsTheLoss(DalvaTestServer server, @DalvaTestServerExtension.Url String url) { ... }
 * }
 * }</pre>
 */
public final class DalvaTestServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    /**
     * Marks a {@code String} parameter to receive the server's URL, such as
     * {@code http://127.0.0.1:51234}.
     */
    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    public @interface Url {

    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
        .create(DalvaTestServerExtension.class);

    private static final String KEY = "server";

    private final boolean perTest;

    private volatile DalvaTestServer current;

    /**
     * One server per test class: what {@code @ExtendWith(DalvaTestServerExtension.class)}
     * gives.
     */
    public DalvaTestServerExtension() {
        this(false);
    }

    private DalvaTestServerExtension(boolean perTest) {
        this.perTest = perTest;
    }

    /** One server per test class, for a static {@code @RegisterExtension} field. */
    public static DalvaTestServerExtension perClass() {
        return new DalvaTestServerExtension(false);
    }

    /**
     * A fresh server for every test, for an instance {@code @RegisterExtension} field.
     */
    public static DalvaTestServerExtension perTest() {
        return new DalvaTestServerExtension(true);
    }

    /**
     * The server of the running test, for {@code @RegisterExtension} fields.
     * @throws IllegalStateException outside a test
     */
    public DalvaTestServer server() {
        DalvaTestServer server = current;
        if (server == null) {
            throw new IllegalStateException("No DalvaTestServer is running: call server() from a test");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perTest && find(context) == null) {
            current = DalvaTestServer.start();
            context.getStore(NAMESPACE).put(KEY, current);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeOwned(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perTest) {
            current = DalvaTestServer.start();
            context.getStore(NAMESPACE).put(KEY, current);
            return;
        }
        DalvaTestServer server = find(context);
        if (server == null) { // registered on an instance field without perTest(): behave
                              // per test
            server = DalvaTestServer.start();
            context.getStore(NAMESPACE).put(KEY, server);
        }
        else if (!server.isRunning()) {
            server.restart();
        }
        server.resetFaults();
        server.clearRequests();
        current = server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeOwned(context);
    }

    private void closeOwned(ExtensionContext context) {
        DalvaTestServer owned = context.getStore(NAMESPACE).remove(KEY, DalvaTestServer.class);
        if (owned != null) {
            owned.close();
            if (current == owned) {
                current = null;
            }
        }
    }

    private static DalvaTestServer find(ExtensionContext context) {
        return context.getStore(NAMESPACE).get(KEY, DalvaTestServer.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DalvaTestServer.class || (type == String.class && parameter.isAnnotated(Url.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        DalvaTestServer server = find(context);
        if (server == null) {
            throw new ParameterResolutionException("No DalvaTestServer yet for " + parameter.getDeclaringExecutable()
                    + ": with perTest(), servers exist only in @BeforeEach, @Test and @AfterEach methods");
        }
        return parameter.getParameter().getType() == String.class ? server.url() : server;
    }

}
