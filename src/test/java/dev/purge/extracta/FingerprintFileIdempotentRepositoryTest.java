package dev.purge.extracta;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintFileIdempotentRepositoryTest {

    @TempDir
    Path dir;

    private FingerprintFileIdempotentRepository open(int maxEntries) {
        FingerprintFileIdempotentRepository repository = new FingerprintFileIdempotentRepository();
        repository.setFile(dir.resolve("state").resolve("pairs.fp").toString());
        repository.setMaxEntries(maxEntries);
        repository.start();
        return repository;
    }

    @Test
    void remembersKeysAcrossRestartsWithoutStoringThemInClear() throws Exception {
        FingerprintFileIdempotentRepository first = open(100);
        assertThat(first.add("c1/b1")).isTrue();
        assertThat(first.add("c1/b1")).isFalse();
        assertThat(first.contains("c1/b1")).isTrue();
        assertThat(first.contains("c1/b2")).isFalse();
        first.stop();

        FingerprintFileIdempotentRepository second = open(100);
        assertThat(second.contains("c1/b1")).isTrue();
        assertThat(second.add("c1/b1")).isFalse();
        String stored = Files.readString(dir.resolve("state").resolve("pairs.fp"));
        assertThat(stored).doesNotContain("b1").hasLineCount(1);
        second.stop();
    }

    @Test
    void aLineCutShortByAKillIsIgnored() throws Exception {
        FingerprintFileIdempotentRepository first = open(100);
        first.add("c1/b1");
        first.stop();
        Files.writeString(dir.resolve("state").resolve("pairs.fp"), "0123abc", StandardOpenOption.APPEND);
        FingerprintFileIdempotentRepository second = open(100);
        assertThat(second.contains("c1/b1")).isTrue();
        assertThat(second.add("c1/b2")).isTrue();
        second.stop();
        FingerprintFileIdempotentRepository third = open(100);
        // the partial line was glued to the next key's line: that key may be forgotten, never a wrong one remembered
        assertThat(third.contains("c1/b1")).isTrue();
        assertThat(third.contains("c1/b3")).isFalse();
        third.stop();
    }

    @Test
    void staysBoundedByDroppingTheOldest() throws Exception {
        FingerprintFileIdempotentRepository repository = open(8);
        for (int i = 0; i < 20; i++) {
            repository.add("c/b" + i);
        }
        assertThat(repository.contains("c/b19")).isTrue();
        assertThat(repository.contains("c/b0")).isFalse();
        assertThat(Files.readAllLines(dir.resolve("state").resolve("pairs.fp"), StandardCharsets.US_ASCII).size())
                .isLessThanOrEqualTo(8);
        repository.stop();
    }

    @Test
    void removeAndClear() {
        FingerprintFileIdempotentRepository repository = open(100);
        repository.add("c/b1");
        repository.add("c/b2");
        assertThat(repository.remove("c/b1")).isTrue();
        assertThat(repository.remove("c/b1")).isFalse();
        assertThat(repository.contains("c/b1")).isFalse();
        assertThat(repository.contains("c/b2")).isTrue();
        repository.clear();
        assertThat(repository.contains("c/b2")).isFalse();
        repository.stop();
    }
}
