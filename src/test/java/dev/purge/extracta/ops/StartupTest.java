package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.purge.extracta.ExtractaPurgeApplication;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Startup refuses a run that cannot work, with a message that says what to do. */
class StartupTest {

    @Test
    void refusesToStartWithoutAnApiKey() {
        assertThatThrownBy(() -> TestApp.start("no-key", Map.of("extracta.api-key", "")).close())
                .hasStackTraceContaining("No Extracta API key")
                .hasStackTraceContaining("EXTRACTA_API_KEY");
    }

    @Test
    void refusesANonsensicalConcurrency() {
        assertThatThrownBy(() -> TestApp.start("bad-concurrency", Map.of("extracta.concurrency", "0")).close())
                .hasStackTraceContaining("extracta.concurrency (EXTRACTA_CONCURRENCY) is '0': must be from 1 to 1000");
    }

    @Test
    void refusesAKeyWithATrailingNewline() {
        assertThatThrownBy(() -> TestApp.start("newline-key", Map.of("extracta.api-key", "abc123\n")).close())
                .hasStackTraceContaining("contains whitespace");
    }

    @Test
    void refusesABaseUrlWithATrailingSlash() {
        assertThatThrownBy(() -> TestApp.start("slash-url", Map.of("extracta.base-url", "http://127.0.0.1:1/api/")).close())
                .hasStackTraceContaining("without a trailing slash");
    }

    @Test
    void refusesADataFolderAnotherApplicationUsesAndStartsOnceItIsFree() throws Exception {
        try (TestApp first = TestApp.start("locked", Map.of())) {
            Map<String, String> same = new java.util.HashMap<>(TestApp.defaults());
            same.put("extracta.base-url", "http://127.0.0.1:" + first.wireMock.port());
            same.put("extracta.data-dir", first.dataDir.toString());
            // another application on the same state folder and inbox, in this very process
            assertThat(ExtractaPurgeApplication.run(new String[] {"--once"}, same)).isEqualTo(OneShotRun.FATAL);
            first.stopApp();
            assertThat(ExtractaPurgeApplication.run(new String[] {"--once"}, same)).as("free once the first stops")
                    .isEqualTo(OneShotRun.ALL_DONE);
        }
    }

    @Test
    void aDuplicateCheckFileLeftByACrashIsRemovedByTheNextStartNeverByARefusedOne() throws Exception {
        try (TestApp first = TestApp.start("leftover", Map.of())) {
            Path leftover = Files.createDirectories(first.dataDir.resolve("state").resolve("files"))
                    .resolve("pairs-123.fpset");
            Files.write(leftover, new byte[4096]);
            Map<String, String> same = new java.util.HashMap<>(TestApp.defaults());
            same.put("extracta.base-url", "http://127.0.0.1:" + first.wireMock.port());
            same.put("extracta.data-dir", first.dataDir.toString());
            assertThat(ExtractaPurgeApplication.run(new String[] {"--once"}, same)).isEqualTo(OneShotRun.FATAL);
            assertThat(leftover).as("the folder is another application's").exists();
            first.stopApp();
            assertThat(ExtractaPurgeApplication.run(new String[] {"--once"}, same)).isEqualTo(OneShotRun.ALL_DONE);
            assertThat(leftover).doesNotExist();
        }
    }

    @Test
    void startsWithoutAKeyInDryRun() throws Exception {
        try (TestApp app = TestApp.start("dry-run-no-key", Map.of("extracta.api-key", "", "extracta.dry-run", "true"))) {
            assertThat(app.inbox()).exists();
        }
    }
}
