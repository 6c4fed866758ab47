package io.dalva.test;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs sample test classes that use the extension on the JUnit platform, then checks what
 * happened.
 */
class DalvaTestServerExtensionTest {

    static final List<DalvaTestServer> seen = new ArrayList<>();

    static TestExecutionSummary run(Class<?> testClass) {
        seen.clear();
        LauncherDiscoveryRequest request = request().selectors(selectClass(testClass)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        return listener.getSummary();
    }

    static void assertAllPassed(TestExecutionSummary summary, int tests) {
        List<String> failures = summary.getFailures()
            .stream()
            .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException())
            .toList();
        assertThat(failures).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(tests);
    }

    @Test
    void perClassSharesOneServerAndClosesItAfterTheClass() {
        assertAllPassed(run(PerClassSample.class), 4);
        assertThat(seen).hasSize(5).allSatisfy(s -> assertThat(s).isSameAs(seen.get(0)));
        assertThat(seen.get(0).isRunning()).isFalse();
    }

    @Test
    void perTestGivesEveryTestAFreshServerAndClosesIt() {
        assertAllPassed(run(PerTestSample.class), 2);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isNotSameAs(seen.get(1));
        assertThat(seen).noneMatch(DalvaTestServer::isRunning);
    }

    @Test
    void staticRegisterExtensionIsPerClass() {
        assertAllPassed(run(RegisteredPerClassSample.class), 2);
        assertThat(seen).hasSize(2).allSatisfy(s -> assertThat(s).isSameAs(seen.get(0)));
        assertThat(seen.get(0).isRunning()).isFalse();
    }

    @ExtendWith(DalvaTestServerExtension.class)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClassSample {

        @BeforeAll
        static void beforeAll(DalvaTestServer server) {
            seen.add(server);
        }

        @Test
        @Order(1)
        void injectsTheServerAndItsUrl(DalvaTestServer server, @DalvaTestServerExtension.Url String url) {
            seen.add(server);
            assertThat(url).isEqualTo(server.url());
            assertThat(new Http(url).get("/api/health").status()).isEqualTo(200);
            new Http(url).init("demo", "kept");
            server.failNext(5, 503);
            server.stop();
        }

        @Test
        @Order(2)
        void theNextTestGetsItRunningWithItsDataWithoutFaultsOrRequests(DalvaTestServer server) {
            seen.add(server);
            assertThat(server.isRunning()).isTrue();
            assertThat(server.requests()).isEmpty();
            assertThat(server.runs()).extracting(StoredRun::name).containsExactly("kept");
            assertThat(new Http(server.url()).get("/api/health").status()).isEqualTo(200);
        }

        @Nested
        class Inner {

            @Test
            void nestedClassesShareTheServer(DalvaTestServer server) {
                seen.add(server);
                assertThat(server.runs()).hasSize(1);
            }

        }

        @Test
        @Order(3)
        void constructorAndMethodsSeeTheSameServer(DalvaTestServer server) {
            seen.add(server);
        }

        @AfterAll
        static void afterAll(DalvaTestServer server) {
            assertThat(server.isRunning()).as("closed only after @AfterAll").isTrue();
        }

    }

    static class PerTestSample {

        @RegisterExtension
        DalvaTestServerExtension dalva = DalvaTestServerExtension.perTest();

        @Test
        void first(DalvaTestServer server) {
            seen.add(server);
            assertThat(dalva.server()).isSameAs(server);
            assertThat(server.runs()).isEmpty();
            new Http(server.url()).init("demo", "only here");
        }

        @Test
        void second(DalvaTestServer server) {
            seen.add(server);
            assertThat(server.runs()).isEmpty();
            new Http(server.url()).init("demo", "only here");
        }

    }

    static class RegisteredPerClassSample {

        @RegisterExtension
        static DalvaTestServerExtension dalva = DalvaTestServerExtension.perClass();

        @Test
        void one() {
            seen.add(dalva.server());
        }

        @Test
        void two(DalvaTestServer server) {
            assertThat(server).isSameAs(dalva.server());
            seen.add(server);
        }

    }

}
