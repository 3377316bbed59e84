package dev.purge.extracta.ingest;

import dev.purge.extracta.ledger.FingerprintSet;
import dev.purge.extracta.request.DeleteBatchRequest;
import java.nio.file.Path;

/**
 * The (classificationId, batchId) pairs already seen in one file, as fingerprints. Past a few thousand pairs the table
 * moves out of the heap into a memory-mapped scratch file in the spill folder, so a file of any length is checked in a
 * flat heap (16 to 32 bytes a pair of page cache instead). Not thread-safe: the file's rows are read by one iterator.
 */
final class PairFingerprints implements AutoCloseable {

    /** The scratch files' names start with this, in the spill folder. */
    static final String SPILL_PREFIX = "pairs-";

    private final FingerprintSet set;

    /** Kept in the heap: for tests and a reader that has no state folder. */
    PairFingerprints() {
        this(null);
    }

    PairFingerprints(Path spillFolder) {
        set = new FingerprintSet(spillFolder, SPILL_PREFIX);
    }

    /** Adds the pair; returns false when it was already there. */
    boolean add(String classificationId, String batchId) {
        return set.add(DeleteBatchRequest.pairKey(classificationId, batchId));
    }

    int size() {
        return set.size();
    }

    /** Whether the table has moved out of the heap. */
    boolean offHeap() {
        return set.mapped();
    }

    /** The table goes (a mapped one with its buffer). */
    @Override
    public void close() {
        set.close();
    }
}
