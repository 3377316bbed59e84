package dev.purge.extracta.ledger;

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

    @Test
    void aRemovalIsOneAppendedLineAndSurvivesARestart() throws Exception {
        Path file = dir.resolve("state").resolve("pairs.fp");
        FingerprintFileIdempotentRepository first = open(100);
        first.add("claim:c/b1");
        first.add("c/b2");
        assertThat(first.remove("claim:c/b1")).isTrue();
        assertThat(Files.readAllLines(file, StandardCharsets.US_ASCII)).hasSize(3)
                .last().satisfies(line -> assertThat(line).startsWith("-").hasSize(33));
        first.stop();

        FingerprintFileIdempotentRepository second = open(100);
        assertThat(second.contains("claim:c/b1")).isFalse();
        assertThat(second.contains("c/b2")).isTrue();
        // claimed again after its removal: remembered again
        assertThat(second.add("claim:c/b1")).isTrue();
        second.stop();
        FingerprintFileIdempotentRepository third = open(100);
        assertThat(third.contains("claim:c/b1")).isTrue();
        third.stop();
    }

    @Test
    void claimsThatComeAndGoDoNotGrowTheFileForEver() throws Exception {
        Path file = dir.resolve("state").resolve("pairs.fp");
        FingerprintFileIdempotentRepository repository = open(1_000_000);
        for (int i = 0; i < 150_000; i++) {
            assertThat(repository.add("claim:c/b" + i)).isTrue();
            repository.add("c/b" + i);
            assertThat(repository.remove("claim:c/b" + i)).isTrue();
        }
        // 450,000 lines written; the dead ones were dropped by a rewrite once they outnumbered the live ones
        assertThat(Files.readAllLines(file, StandardCharsets.US_ASCII).size()).isLessThan(2 * 150_000 + 100_000 + 1);
        assertThat(repository.contains("c/b0")).isTrue();
        assertThat(repository.contains("c/b149999")).isTrue();
        assertThat(repository.contains("claim:c/b7")).isFalse();
        repository.stop();
        FingerprintFileIdempotentRepository reopened = open(1_000_000);
        assertThat(reopened.contains("c/b0")).isTrue();
        assertThat(reopened.contains("claim:c/b149999")).isFalse();
        reopened.stop();
    }

    @Test
    void theFingerprintSetAgreesWithAHashSetUnderRandomAddsAndRemoves() {
        java.util.Random random = new java.util.Random(42);
        FingerprintSet set = new FingerprintSet();
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            String key = "k" + random.nextInt(5_000);
            long[] fp = FingerprintSet.fingerprint(key);
            if (random.nextBoolean()) {
                assertThat(set.add(fp[0], fp[1])).isEqualTo(expected.add(key));
            } else {
                assertThat(set.remove(fp[0], fp[1])).isEqualTo(expected.remove(key));
            }
        }
        assertThat(set.size()).isEqualTo(expected.size());
        for (int k = 0; k < 5_000; k++) {
            assertThat(set.contains("k" + k)).as("k" + k).isEqualTo(expected.contains("k" + k));
        }
    }

    @Test
    void theMappedFingerprintSetAgreesWithAHashSetUnderRandomAddsAndRemoves() throws Exception {
        java.util.Random random = new java.util.Random(7);
        Path spill = dir.resolve("spill");
        FingerprintSet set = new FingerprintSet(spill, "t-");
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < 60_000; i++) {
            assertThat(set.add("k" + i)).isTrue(); // past the heap table: the set moves to a mapped file
            expected.add("k" + i);
        }
        assertThat(set.mapped()).isTrue();
        for (int i = 0; i < 300_000; i++) {
            String key = "k" + random.nextInt(80_000);
            long[] fp = FingerprintSet.fingerprint(key);
            if (random.nextBoolean()) {
                assertThat(set.add(fp[0], fp[1])).isEqualTo(expected.add(key));
            } else {
                assertThat(set.remove(fp[0], fp[1])).isEqualTo(expected.remove(key));
            }
        }
        assertThat(set.size()).isEqualTo(expected.size());
        for (int k = 0; k < 80_000; k++) {
            assertThat(set.contains("k" + k)).as("k" + k).isEqualTo(expected.contains("k" + k));
        }
        // the mapped table's file was unlinked as soon as it was opened: nothing to clean up after a crash
        try (var files = Files.list(spill)) {
            assertThat(files).isEmpty();
        }
        set.close();
        assertThat(set.size()).isZero();
        assertThat(set.add("k1")).isTrue();
    }

    @Test
    void theIndexIsMadeFromTheFileAtEachStartNeverFromALeftover() throws Exception {
        Path state = dir.resolve("state");
        FingerprintFileIdempotentRepository first = open(1_000_000);
        for (int i = 0; i < 40_000; i++) {
            assertThat(first.add("c/b" + i)).isTrue();
        }
        first.stop();
        // what a crash in the instant between making an index file and unlinking it could leave, full of garbage
        Path leftover = state.resolve("pairs.fp.index-123.fpset");
        Files.write(leftover, new byte[1 << 20]);
        Path unrelated = state.resolve("pairs.fp.index-notes.txt");
        Files.writeString(unrelated, "kept");

        FingerprintFileIdempotentRepository second = open(1_000_000);
        assertThat(leftover).doesNotExist();
        assertThat(unrelated).exists();
        for (int i = 0; i < 40_000; i += 13) {
            assertThat(second.contains("c/b" + i)).as("c/b%d", i).isTrue();
        }
        assertThat(second.contains("c/b40000")).isFalse();
        assertThat(second.add("c/b40000")).isTrue();
        second.stop();
        try (var files = Files.list(state)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("pairs.fp",
                    "pairs.fp.index-notes.txt");
        }
    }
}
