package dev.purge.extracta.secret;

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
 * A library that logs through java.util.logging (the PostgreSQL driver warns about a URL it cannot parse, printing
 * it) is masked like any log line: the packaged jar routes it through log4j2. It printed the password to stderr.
 */
class LibraryLogMaskingIT {

    private static final String SSL_PASSWORD = "fake-ssl-pw-51c9e4";
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
    void aDriverWarningThroughJavaUtilLoggingNeverShowsAPasswordOfTheUrl() throws Exception {
        Path work = JarProcess.workDir("jul-masking");
        Path log = work.resolve("app.log");
        Map<String, String> env = Map.of(
                "EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port(),
                // too many slashes: the driver warns through java.util.logging, with the whole URL
                "EXTRACTA_JDBC_URL", "jdbc:postgresql://127.0.0.1/extracta/x?sslpassword=" + SSL_PASSWORD);
        Process app = JarProcess.start(work, log, env, List.of(), List.of("--once"));
        assertThat(app.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited; log: %s", log).isTrue();
        String output = Files.readString(log);
        assertThat(output).as("the driver's warning is there, masked").contains("sslpassword=****");
        assertThat(output).doesNotContain(SSL_PASSWORD).doesNotContain(JarProcess.API_KEY);
    }
}
