package dev.purge.extracta.health;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.FaultInjection;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.CamelThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hardening: an Error on any thread (a pool's task, a periodic task, a row's processing) ends the application with
 * status 4 and a clear message instead of a silent hang. The exit itself is replaced here (the test JVM goes on);
 * FatalErrorIT sees the packaged jar exit.
 */
class FatalErrorTest {

    private final BlockingQueue<Integer> exits = new ArrayBlockingQueue<>(10);

    @BeforeEach
    void catchTheExit() {
        FatalErrors.exitFor(exits::add);
    }

    @AfterEach
    void restoreTheExit() {
        FatalErrors.exitFor(null);
    }

    @Test
    void anErrorInATaskOfACamelThreadPoolEndsTheApplication() throws Exception {
        ExecutorService pool = new FatalErrors().newThreadPool(1, 1, 60, TimeUnit.SECONDS, 4, true, null,
                new CamelThreadFactory("#name#", "test-pool", true));
        try {
            // submit(): the Error is kept in the task's Future, where nobody would ever look
            pool.submit(() -> {
                throw new OutOfMemoryError("injected: Java heap space");
            });
            assertThat(exits.poll(10, TimeUnit.SECONDS)).isEqualTo(FatalErrors.EXIT_STATUS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anErrorInAPeriodicTaskEndsTheApplication() throws Exception {
        ThreadPoolProfile profile = new ThreadPoolProfile("test");
        profile.setPoolSize(1);
        profile.setMaxPoolSize(1);
        profile.setMaxQueueSize(10);
        ScheduledExecutorService timer = new FatalErrors().newScheduledThreadPool(profile,
                new CamelThreadFactory("#name#", "test-timer", true));
        try {
            timer.scheduleAtFixedRate(() -> {
                throw new StackOverflowError("injected");
            }, 10, 10, TimeUnit.MILLISECONDS);
            assertThat(exits.poll(10, TimeUnit.SECONDS)).isEqualTo(FatalErrors.EXIT_STATUS);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aWorkerOutOfMemoryInTheMiddleOfAFileEndsTheApplicationInsteadOfAHang() throws Exception {
        try (TestApp app = TestApp.start("fatal-worker", Map.of())) {
            FaultInjection.adviseOutOfMemoryAfter100Rows(app.camelContext());
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
            assertThat(app.camelContext().getExecutorServiceManager().getThreadPoolFactory())
                    .isInstanceOf(FatalErrors.class);
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 0; i < 500; i++) {
                csv.append("c1,b").append(i).append('\n');
            }
            app.drop("worker.csv", csv.toString());
            assertThat(exits.poll(30, TimeUnit.SECONDS)).as("the application ends").isEqualTo(FatalErrors.EXIT_STATUS);
            // its split never ends here (the test's exit does not end the JVM): no report, and never moved
            assertThat(app.inbox().resolve("worker.csv")).as("left to resume").exists();
            assertThat(app.movedTo(".failed", "worker.csv")).isEmpty();
        }
    }

    @Test
    void anErrorThatCannotEvenBeDescribedStillEndsTheApplication() throws Exception {
        // out of memory, saying what went wrong runs out of memory too: the exit must not depend on the words
        OutOfMemoryError unspeakable = new OutOfMemoryError() {
            @Override
            public String getMessage() {
                throw new OutOfMemoryError("Java heap space, again");
            }

            @Override
            public String toString() {
                throw new OutOfMemoryError("Java heap space, again");
            }
        };
        FatalErrors.fatal(unspeakable, "a test");
        assertThat(exits.poll(10, TimeUnit.SECONDS)).as("the application ends").isEqualTo(FatalErrors.EXIT_STATUS);
    }

    @Test
    void anErrorWhileARowIsProcessedEndsTheApplication() throws Exception {
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("fatal-row", Map.of())) {
            FaultInjection.adviseStackOverflowAtAdmit(app.camelContext());
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
            app.drop("fatal.csv", "classificationId,batchId\nc1,ok1\nc1,boom\nc1,ok2\n");
            assertThat(exits.poll(30, TimeUnit.SECONDS)).as("the application ends").isEqualTo(FatalErrors.EXIT_STATUS);
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("ERROR Fatal: StackOverflowError")
                    && l.contains("The application stops now (exit status 4)"));
            assertLeftToResume(app, "fatal.csv");
        }
    }

    /** The file's run ends after the exit began (rows in flight finish first): it stays for the next start. */
    private static void assertLeftToResume(TestApp app, String fileName) throws Exception {
        Path report = app.inbox().resolveSibling("reports").resolve(fileName + ".report.json");
        await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report));
        assertThat(new ObjectMapper().readTree(report.toFile()).get("status").asText()).isEqualTo("INTERRUPTED");
        assertThat(app.inbox().resolve(fileName)).as("left to resume").exists();
        assertThat(app.movedTo(".failed", fileName)).as("never taken as the file's own failure").isEmpty();
    }
}
