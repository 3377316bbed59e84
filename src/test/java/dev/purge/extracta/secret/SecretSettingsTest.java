package dev.purge.extracta.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.purge.extracta.ops.StartupChecks;
import dev.purge.extracta.testsupport.TestApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Settings that carry a secret where it does not belong are refused at start, naming the setting and the problem and
 * never echoing the value; a password a URL carries anyway is masked.
 */
class SecretSettingsTest {

    /** Obviously fake, and distinct from every other value of the tests so a match can only be an echo. */
    private static final String PASSWORD = "fake-url-pw-e81c07";

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:postgresql://127.0.0.1:5432/extracta?user=extracta&password=" + PASSWORD,
            "jdbc:postgresql://extracta:" + PASSWORD + "@127.0.0.1:5432/extracta",
            // a password with a slash: the user info does not end there
            "jdbc:postgresql://extracta:pw/" + PASSWORD + "@127.0.0.1:5432/extracta",
            // malformed (the port is no number): the driver would echo the whole URL in its error
            "jdbc:postgresql://127.0.0.1:port/extracta?password=" + PASSWORD})
    void aJdbcUrlCarryingAPasswordIsRefusedWithoutEchoingIt(String url) {
        assertRefused(Map.of("extracta.jdbc.url", url), "extracta.jdbc.url carries a password",
                "extracta.jdbc.password");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "tcp://127.0.0.1:61616?user=purge&password=" + PASSWORD,
            "(tcp://purge:" + PASSWORD + "@127.0.0.1:61616,tcp://127.0.0.1:61617)?ha=true",
            "tcp://purge:pw#" + PASSWORD + "@127.0.0.1:61616"})
    void aBrokerUrlCarryingAPasswordIsRefusedWithoutEchoingIt(String url) {
        assertRefused(Map.of("extracta.queue.broker-url", url), "extracta.queue.broker-url carries a password",
                "extracta.queue.password");
    }

    @Test
    void aBaseUrlWithUserInfoIsRefusedWithoutEchoingIt() {
        assertRefused(Map.of("extracta.base-url", "https://purge:" + PASSWORD + "@api.extracta.ai/api/v1"),
                "extracta.base-url carries user info", "EXTRACTA_API_KEY");
        assertRefused(Map.of("extracta.base-url", "https://purge:pw/" + PASSWORD + "@api.extracta.ai/api/v1"),
                "extracta.base-url carries user info");
        assertRefused(Map.of("extracta.base-url", "https://api.extracta.ai/api/v1?api_key=" + PASSWORD),
                "must have no query string");
        assertThatThrownBy(() -> StartupChecks.checkBaseUrl("http://purge:" + PASSWORD + "@127.0.0.1:1/api"))
                .hasMessageContaining("user info").hasMessageNotContaining(PASSWORD).hasMessageNotContaining("purge");
        // a user name alone is refused too: the API takes no user info at all
        assertThatThrownBy(() -> StartupChecks.checkBaseUrl("https://purge@api.extracta.ai/api/v1"))
                .hasMessageContaining("user info");
    }

    @Test
    void anApiKeyFileThatIsNotAReadableFileIsRefusedWithoutEchoingIt() throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "test-data", "key-file-folder-" + System.nanoTime()));
        String pastedKey = "xk-pasted-4b2d9e-FAKE";
        Map<String, String> refusals = Map.of(
                pastedKey, "names no file that exists",
                folder.resolve("missing-key-file").toString(), "names no file that exists",
                folder.toString(), "names a folder");
        refusals.forEach((value, problem) -> assertRefused(Map.of("extracta.api-key-file", value),
                "extracta.api-key-file (EXTRACTA_API_KEY_FILE) " + problem, "EXTRACTA_API_KEY"));
        Path empty = Files.writeString(folder.resolve("empty-key"), "\n");
        assertRefused(Map.of("extracta.api-key-file", empty.toString()), "names an empty file", "extracta.api-key-file");
    }

    @Test
    void aPasswordOfAnotherUrlParameterIsMaskedWhereverTheUrlIsPrinted() throws Exception {
        String sslPassword = "fake-ssl-pw-70d3aa";
        try (TestApp app = TestApp.start("ssl-password", Map.of("extracta.jdbc.url",
                "jdbc:postgresql://127.0.0.1:5432/extracta?sslpassword=" + sslPassword))) {
            String printed = "extracta.jdbc.url = jdbc:postgresql://127.0.0.1:5432/extracta?sslpassword=" + sslPassword;
            assertThat(SecretRedactor.redact(printed)).doesNotContain(sslPassword).endsWith("sslpassword=****");
        }
    }

    @Test
    void secretsOfAnySettingWhoseNameSaysSoAreMasked() throws Exception {
        String token = "fake-token-2c9f41";
        try (TestApp app = TestApp.start("secret-names", Map.of("myorg.webhook.token", token))) {
            assertThat(SecretRedactor.redact("the token " + token)).isEqualTo("the token ****");
            assertThat(SecretRedactor.redact("dev.purge.extracta.secret.ExtractaCredentials"))
                    .as("a bean reference of a setting named like a secret is no secret")
                    .isEqualTo("dev.purge.extracta.secret.ExtractaCredentials");
        }
    }

    private static void assertRefused(Map<String, String> settings, String... expected) {
        Map<String, String> properties = new HashMap<>(settings);
        assertThatThrownBy(() -> TestApp.start("refused", properties).close()).satisfies(e -> {
            String trace = stackTrace(e);
            for (String part : expected) {
                assertThat(trace).contains(part);
            }
            for (String value : settings.values()) {
                assertThat(trace).as("the value is not echoed").doesNotContain(value);
            }
            assertThat(trace).doesNotContain(PASSWORD);
        });
    }

    private static String stackTrace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
