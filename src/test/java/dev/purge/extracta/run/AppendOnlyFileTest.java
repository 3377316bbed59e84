package dev.purge.extracta.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A record file never glues a new record onto a torn one: a partial last line is cut off when it is opened. */
class AppendOnlyFileTest {

    @Test
    void aTornLastRecordIsCutOffBeforeTheNextOneIsAppended(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("records.jsonl"), "{\"n\":1}\n{\"n\":2}\n{\"n\":3,\"batch");
        try (AppendOnlyFile out = AppendOnlyFile.open(file)) {
            out.append("{\"n\":4}");
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":4}");
    }

    @Test
    void aFileWithNoWholeLineAtAllIsEmptiedAndAWholeOneIsLeftAlone(@TempDir Path dir) throws Exception {
        Path torn = Files.writeString(dir.resolve("torn"), "F 12 DEL");
        AppendOnlyFile.open(torn).close();
        assertThat(Files.size(torn)).isZero();
        Path whole = Files.writeString(dir.resolve("whole"), "A 1\nF 1 DELETED\n");
        AppendOnlyFile.open(whole).close();
        assertThat(Files.readString(whole)).isEqualTo("A 1\nF 1 DELETED\n");
    }

    @Test
    void aLongFileIsRepairedFromItsEnd(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append("line ").append(i).append('\n');
        }
        Path file = Files.writeString(dir.resolve("long"), text + "x".repeat(20_000));
        try (AppendOnlyFile out = AppendOnlyFile.open(file)) {
            out.append("last");
        }
        assertThat(Files.readAllLines(file)).hasSize(5001).endsWith("line 4999", "last");
    }
}
