package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar with a mistyped setting in its real environment (or on its command line) refuses to start: exit
 * status 1, the setting named with the one meant, nothing sent. Before, EXTRACTA_DRYRUN was ignored and the run
 * deleted for real.
 */
class UnknownSettingIT {

    private static WireMockServer api;

    @BeforeAll
    static void startApi() {
        api = JarProcess.startApi();
    }

    @AfterAll
    static void stopApi() {
        api.stop();
    }

    @Test
    void aMistypedDryRunVariableStopsTheStart() throws Exception {
        String output = runUntilExit("env-typo", Map.of("EXTRACTA_DRYRUN", "true"), List.of());
        assertThat(output).contains("unknown environment variable EXTRACTA_DRYRUN (did you mean EXTRACTA_DRY_RUN?)");
    }

    @Test
    void aMistypedSystemPropertyStopsTheStart() throws Exception {
        String output = runUntilExit("sysprop-typo", Map.of(), List.of("-Dextracta.concurency=2"));
        assertThat(output).contains("unknown system property -Dextracta.concurency (did you mean -Dextracta.concurrency?)");
    }

    private static String runUntilExit(String name, Map<String, String> extra, List<String> jvmOptions)
            throws Exception {
        Path work = JarProcess.workDir(name);
        Path log = work.resolve("app.log");
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port()));
        env.putAll(extra);
        int before = api.getAllServeEvents().size();
        Process app = JarProcess.start(work, log, env, jvmOptions, List.of("--once"));
        assertThat(app.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited; log: %s", log).isTrue();
        String output = Files.readString(log);
        assertThat(app.exitValue()).as(output).isEqualTo(OneShotRun.FATAL);
        assertThat(api.getAllServeEvents()).as("nothing was sent, not even GET /credits").hasSize(before);
        assertThat(output).doesNotContain(JarProcess.API_KEY);
        return output;
    }
}
