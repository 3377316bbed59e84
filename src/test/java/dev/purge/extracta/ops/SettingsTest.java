package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.purge.extracta.testsupport.TestApp;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every setting is checked at start, before anything is bound or sent: an unknown one (a typo) is refused with the
 * setting meant, a value out of range with the setting, the value and the range, and a secret is never shown.
 */
class SettingsTest {

    private WireMockServer api;

    @BeforeEach
    void startApi() {
        api = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        TestApp.stubCredits(api);
    }

    @AfterEach
    void stopApi() {
        api.stop();
    }

    private void assertRefusedBeforeAnyRequest(Map<String, String> settings, String... expected) {
        Map<String, String> all = new HashMap<>(Map.of("extracta.base-url", "http://127.0.0.1:" + api.port()));
        all.putAll(settings);
        var refusal = assertThatThrownBy(() -> TestApp.startAgainst("settings", all.get("extracta.base-url"), all)
                .close()).as("%s", settings).hasStackTraceContaining("Refusing to start");
        for (String text : expected) {
            refusal.hasStackTraceContaining(text);
        }
        refusal.satisfies(e -> assertThat(stackTrace(e)).doesNotContain("Error binding property"));
        assertThat(api.getAllServeEvents()).as("nothing reached the API, not even the pre-flight GET /credits")
                .isEmpty();
    }

    @Test
    void aMistypedDryRunIsRefusedNamingTheSettingMeant() {
        assertRefusedBeforeAnyRequest(Map.of("extracta.dryrun", "true"),
                "unknown setting extracta.dryrun (did you mean extracta.dry-run?)");
    }

    @Test
    void aMistypedSystemPropertyIsRefused() {
        System.setProperty("extracta.concurency", "2");
        try {
            assertRefusedBeforeAnyRequest(Map.of(),
                    "unknown system property -Dextracta.concurency (did you mean -Dextracta.concurrency?)");
        } finally {
            System.clearProperty("extracta.concurency");
        }
    }

    @Test
    void theValueOfAnUnknownSettingIsNeverShown() {
        String secret = "hunter2-" + TestApp.API_KEY;
        assertThatThrownBy(() -> TestApp.startAgainst("settings", "http://127.0.0.1:" + api.port(),
                Map.of("extracta.jdbc.pasword", secret)).close())
                .hasStackTraceContaining("unknown setting extracta.jdbc.pasword (did you mean extracta.jdbc.password?)")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(secret));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "extracta.http.response-timeout | 0    | EXTRACTA_HTTP_RESPONSE_TIMEOUT) is '0': must be from 1 to 86400000 ms",
        "extracta.http.response-timeout | -5   | EXTRACTA_HTTP_RESPONSE_TIMEOUT) is '-5': must be from 1 to 86400000 ms",
        "extracta.retry.initial-delay   | -1   | EXTRACTA_RETRY_INITIAL_DELAY) is '-1': must be from 0 to 86400000 ms",
        "extracta.retry.max-delay       | -1   | EXTRACTA_RETRY_MAX_DELAY) is '-1': must be from 0 to 86400000 ms",
        "extracta.concurrency           | 0    | EXTRACTA_CONCURRENCY) is '0': must be from 1 to 1000",
        "extracta.concurrency           | -1   | EXTRACTA_CONCURRENCY) is '-1': must be from 1 to 1000",
        "extracta.concurrency           | four | EXTRACTA_CONCURRENCY) is 'four': must be a whole number from 1 to 1000",
        "extracta.rate-limit            | -1   | EXTRACTA_RATE_LIMIT) is '-1': must be from 0 to 10000",
        "extracta.retry.max-attempts    | 0    | EXTRACTA_RETRY_MAX_ATTEMPTS) is '0': must be from 1 to 100",
        "extracta.dry-run               | yes  | EXTRACTA_DRY_RUN) is 'yes': must be true or false",
        "extracta.dry-run               | True | EXTRACTA_DRY_RUN) is 'True': must be true or false",
        "extracta.csv.header            | none | EXTRACTA_CSV_HEADER) is 'none': must be auto, present or absent",
        "extracta.inbox.include         | (    | EXTRACTA_INBOX_INCLUDE) is '(': must be a regular expression",
        "extracta.management.port       | 70000 | EXTRACTA_MANAGEMENT_PORT) is '70000': must be from 0 to 65535",
    })
    void aValueOutOfRangeIsRefusedNamingSettingValueAndRange(String key, String value, String expected) {
        assertRefusedBeforeAnyRequest(Map.of(key, value), key + " (" + expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/../../evil", "/api/./v1", "/api/%2e%2e/v1", "/api/v1?x=1%2F", "/api/v1#top",
        "/api//v1",
        // Camel's producer decodes these (%3F became a query that dropped the delete's own path), the preflight not
        "/api/v1/documentClassification/deleteClassification%3F", "/api%2Fv1", "/api/v1;x=1", "/api/v1%23"})
    void aBaseUrlThatCouldSendTheKeyElsewhereIsRefused(String path) {
        assertRefusedBeforeAnyRequest(Map.of("extracta.base-url", "http://127.0.0.1:" + api.port() + path),
                "extracta.base-url (EXTRACTA_BASE_URL) is 'http://127.0.0.1:" + api.port() + path + "'");
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertRefusedBeforeAnyRequest(Map.of("extracta.concurrency", "0", "extracta.rate-limit", "-1",
                "extracta.retrys", "3"), "extracta.concurrency (", "extracta.rate-limit (", "extracta.retrys (");
    }

    @Test
    void aMistypedCamelOptionIsRefusedByCamelItself() {
        // camel.main.auto-configuration-fail-fast (on, and set so in application.properties)
        assertThatThrownBy(() -> TestApp.startAgainst("settings", "http://127.0.0.1:" + api.port(),
                Map.of("camel.component.http.conectTimeout", "5")).close())
                .hasStackTraceContaining("camel.component.http.conectTimeout");
    }

    @Test
    void unknownEnvironmentVariablesAreNamedWithTheClosestKnownOne() {
        Map<String, String> environment = Map.of(
                "EXTRACTA_DRYRUN", "true",
                "EXTRACTA_CONCURENCY", "2",
                "EXTRACTA_DRY_RUN", "true",
                "EXTRACTA_LOG_FORMAT", "json",
                // Kubernetes adds these for a Service named extracta-purge: not settings
                "EXTRACTA_PURGE_SERVICE_HOST", "10.0.0.1",
                "EXTRACTA_PURGE_SERVICE_PORT", "9876",
                "EXTRACTA_PURGE_PORT_9876_TCP_ADDR", "10.0.0.1",
                "PATH", "/bin");
        assertThat(Settings.unknown(Set.of(), environment, new Properties())).containsExactly(
                "unknown environment variable EXTRACTA_CONCURENCY (did you mean EXTRACTA_CONCURRENCY?)",
                "unknown environment variable EXTRACTA_DRYRUN (did you mean EXTRACTA_DRY_RUN?)");
    }

    @Test
    void aSettingSpelledAnyOtherWayThanItsPlaceTakesIsRefusedNotIgnored() {
        Properties system = new Properties();
        system.setProperty("EXTRACTA_DRY_RUN", "true");
        Map<String, String> environment = Map.of(
                "extracta_dry_run", "true",
                "EXTRACTA.API-KEY", "not-read-as-a-key-here");
        assertThat(Settings.unknown(Set.of(), environment, system)).containsExactly(
                "unknown system property -DEXTRACTA_DRY_RUN (did you mean -Dextracta.dry-run?)",
                "unknown environment variable EXTRACTA.API-KEY (did you mean EXTRACTA_API_KEY?)",
                "unknown environment variable extracta_dry_run (did you mean EXTRACTA_DRY_RUN?)");
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter text = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }
}
