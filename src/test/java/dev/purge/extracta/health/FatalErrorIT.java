package dev.purge.extracta.health;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.purge.extracta.ExtractaPurgeApplication;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.FaultInjection;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hardening: the packaged jar ends with status 4 and a clear message when a worker thread runs out of memory in the
 * middle of a one-shot run (it used to wait forever, silent), or when any thread dies of an unexpected exception.
 * The faults come from beans of the test classes: requestReader declared again in an extra YAML file loaded after
 * ours (-Dcamel.main.routesIncludePattern), a new bean with -Dcamel.beans.*.
 */
class FatalErrorIT {

    private WireMockServer api;
    private Path workDir;

    @BeforeEach
    void startApi() throws Exception {
        api = JarProcess.startApi();
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
        workDir = JarProcess.workDir("fatal");
    }

    @AfterEach
    void stopApi() {
        api.stop();
    }

    /** The jar's classes and the test's fault beans, run as the jar's main class. */
    private Process start(Path log, String systemProperty, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                systemProperty,
                "-cp", Path.of(System.getProperty("app.jar")).toAbsolutePath() + java.io.File.pathSeparator
                        + Path.of("target", "test-classes").toAbsolutePath(),
                ExtractaPurgeApplication.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EXTRACTA_"));
        builder.environment().put("EXTRACTA_API_KEY", JarProcess.API_KEY);
        builder.environment().put("EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port());
        builder.environment().put("EXTRACTA_MANAGEMENT_PORT", "0");
        builder.environment().put("EXTRACTA_RATE_LIMIT", "0");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    @Test
    void aWorkerOutOfMemoryDuringAOneShotRunEndsItWithStatusFour() throws Exception {
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < 2000; i++) {
            csv.append("c1,b").append(i).append('\n');
        }
        Path file = Files.writeString(workDir.resolve("big.csv"), csv);
        Path log = workDir.resolve("once.log");
        // requestReader is a bean of routes/beans.camel.yaml: -Dcamel.beans.requestReader would be replaced by it
        // when Camel loads the routes. A YAML file loaded after ours declares it again, with the same settings
        Path faultBeans = Files.writeString(workDir.resolve("fault-beans.camel.yaml"), FaultInjection.beanOverrideYaml(
                "requestReader", "dev.purge.extracta.testsupport.FaultInjection$OutOfMemoryRequestReader", Map.of(
                        "defaultClassificationId", "{{extracta.default-classification-id}}",
                        "sendGate", "#bean:sendGate",
                        "csvHeader", "{{extracta.csv.header}}",
                        "maxLineLength", "{{extracta.input.max-line-length}}",
                        "maxMessageLength", "{{extracta.input.max-message-length}}",
                        "stateDir", "{{extracta.state-dir}}")));
        Process run = start(log, "-Dcamel.main.routesIncludePattern=" + ExtractaPurgeApplication.ROUTES + ",file:"
                + faultBeans.toAbsolutePath(), "--once", file.toString());
        boolean ended = run.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            run.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended).as("never waits forever; output: %s", output).isTrue();
        assertThat(run.exitValue()).isEqualTo(FatalErrors.EXIT_STATUS);
        assertThat(output).contains("Fatal: OutOfMemoryError: injected by the test: Java heap space");
    }

    @Test
    void aThreadThatDiesOfAnUnexpectedExceptionEndsTheServiceWithStatusFour() throws Exception {
        Path log = workDir.resolve("service.log");
        // a new bean name: camel.beans.* binds it (only a name of routes/beans.camel.yaml is bound again over it)
        Process service = start(log, "-Dcamel.beans.dyingThread=#class:dev.purge.extracta.testsupport.FaultInjection$DyingThread");
        boolean ended = service.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            service.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended).as("ends; output: %s", output).isTrue();
        assertThat(service.exitValue()).isEqualTo(FatalErrors.EXIT_STATUS);
        assertThat(output).contains("Fatal: IllegalStateException: injected by the test: a thread that dies "
                + "(thread extracta-test-dying died)");
    }
}
