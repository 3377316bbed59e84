package dev.purge.extracta.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairFingerprintsTest {

    @Test
    void aPairIsNewOnceAndSeenAfterwards() {
        PairFingerprints seen = new PairFingerprints();
        assertThat(seen.add("c1", "b1")).isTrue();
        assertThat(seen.add("c1", "b1")).isFalse();
        assertThat(seen.add("c1", "b2")).isTrue();
        assertThat(seen.add("c2", "b1")).isTrue();
        assertThat(seen.size()).isEqualTo(3);
    }

    @Test
    void theBoundaryBetweenTheTwoIdsMatters() {
        PairFingerprints seen = new PairFingerprints();
        assertThat(seen.add("ab", "c")).isTrue();
        assertThat(seen.add("a", "bc")).isTrue();
        assertThat(seen.add(null, "bc")).isTrue();
        assertThat(seen.add(null, "bc")).isFalse();
    }

    @Test
    void keepsEveryPairThroughManyResizes() {
        PairFingerprints seen = new PairFingerprints();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            assertThat(seen.add("c" + (i % 7), "b" + i)).isTrue();
        }
        for (int i = 0; i < n; i += 997) {
            assertThat(seen.add("c" + (i % 7), "b" + i)).as("pair %d seen", i).isFalse();
        }
        assertThat(seen.size()).isEqualTo(n);
    }

    @Test
    void aLongFileIsCheckedOutOfTheHeapAndLeavesNoFileBehind(@TempDir Path spill) throws Exception {
        PairFingerprints seen = new PairFingerprints(spill);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            assertThat(seen.add("c" + (i % 7), "b" + i)).isTrue();
        }
        assertThat(seen.offHeap()).isTrue();
        for (int i = 0; i < n; i += 331) {
            assertThat(seen.add("c" + (i % 7), "b" + i)).as("pair %d seen", i).isFalse();
        }
        assertThat(seen.add("c0", "b" + n)).isTrue();
        seen.close();
        try (var files = Files.list(spill)) {
            assertThat(files).isEmpty();
        }
    }
}
