package dev.purge.extracta.testsupport;

import dev.purge.extracta.ledger.FingerprintFileIdempotentRepository;
import dev.purge.extracta.ledger.FingerprintSet;
import java.nio.file.Path;

/**
 * Run in a JVM of its own with a small heap by FingerprintHeapIT: a million deleted pairs remembered by the
 * repository, then a million pairs of one file checked for duplicates, as the application does for a million-row file.
 */
public final class FingerprintLoad {

    private FingerprintLoad() {
    }

    public static void main(String[] args) {
        Path folder = Path.of(args[0]);
        int pairs = Integer.parseInt(args[1]);
        FingerprintFileIdempotentRepository repository = new FingerprintFileIdempotentRepository();
        repository.setFile(folder.resolve("deleted-pairs.fp").toString());
        repository.setMaxEntries(2_000_000);
        repository.start();
        for (int i = 0; i < pairs; i++) {
            if (!repository.add("cls\u0000b-" + i)) {
                throw new IllegalStateException("pair " + i + " taken for one remembered before");
            }
        }
        System.out.println("repository: " + pairs + " pairs remembered, contains the first: "
                + repository.contains("cls\u0000b-0"));
        repository.stop();
        FingerprintSet seen = new FingerprintSet(folder.resolve("files"), "pairs-");
        for (int i = 0; i < pairs; i++) {
            seen.add("cls\u0000b-" + i);
        }
        System.out.println("file check: " + seen.size() + " pairs, the first seen again: " + !seen.add("cls\u0000b-0"));
        seen.close();
    }
}
