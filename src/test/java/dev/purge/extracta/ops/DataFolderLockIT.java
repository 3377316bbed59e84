package dev.purge.extracta.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hardening, several writers: a second process on a data folder in use (an operator's --once while the service runs,
 * a second service on a shared volume) refuses to start, naming the holder, and sends nothing; the lock goes with
 * its process, even when it is killed.
 */
class DataFolderLockIT {

    private WireMockServer api;
    private Path workDir;

    @BeforeEach
    void startApi() throws Exception {
        api = JarProcess.startApi();
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}").withFixedDelay(200)));
        workDir = JarProcess.workDir("lock");
    }

    @AfterEach
    void stopApi() {
        api.stop();
    }

    private Map<String, String> env() {
        return new HashMap<>(Map.of("EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port(), "EXTRACTA_RATE_LIMIT", "0",
                "EXTRACTA_CONCURRENCY", "2", "EXTRACTA_INBOX_STABLE_PERIOD", "200"));
    }

    @Test
    void aSecondProcessOnADataFolderInUseRefusesToStartNamingTheHolder() throws Exception {
        Path inbox = Files.createDirectories(workDir.resolve("data/inbox"));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < 30; i++) {
            csv.append("c1,lock").append(i).append('\n');
        }
        Path temp = Files.writeString(inbox.resolve(".shared.csv.part"), csv);
        Files.move(temp, inbox.resolve("shared.csv"));
        Process service = JarProcess.start(workDir, workDir.resolve("service.log"), env());
        try {
            await().atMost(TestApp.TIMEOUT).until(() -> sent() >= 3 || !service.isAlive());
            assertThat(service.isAlive()).isTrue();

            // the operator runs --once on the same data folder while the service works on the file
            Path onceLog = workDir.resolve("once.log");
            Process once = JarProcess.start(workDir, onceLog, env(), List.of(), List.of("--once"));
            assertThat(once.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(onceLog);
            assertThat(once.exitValue()).as(output).isEqualTo(OneShotRun.FATAL);
            assertThat(output).contains("is in use by another extracta-purge process (pid " + service.pid()
                    + " on host ");
            // and a second service
            Process second = JarProcess.start(workDir, workDir.resolve("second.log"), env());
            assertThat(second.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isNotZero();
            assertThat(Files.readString(workDir.resolve("second.log"))).contains("is in use by another extracta-purge "
                    + "process (pid " + service.pid());

            await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(inbox.resolve("shared.csv")));
        } finally {
            service.destroyForcibly(); // kill -9: the OS lets go of its lock
            service.waitFor(60, TimeUnit.SECONDS);
        }
        Map<String, Integer> perBatch = TestApp.sentPerBatch(api);
        assertThat(perBatch).hasSize(30).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));

        // the killed service's lock is gone with it: the next run starts
        Process after = JarProcess.start(workDir, workDir.resolve("after.log"), env(), List.of(), List.of("--once"));
        assertThat(after.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(after.exitValue()).as(Files.readString(workDir.resolve("after.log"))).isEqualTo(OneShotRun.ALL_DONE);
    }

    private int sent() {
        return api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }
}
