package dev.purge.extracta.ingest;

import dev.purge.extracta.ledger.FingerprintSet;
import dev.purge.extracta.request.DeleteBatchRequest;

/**
 * The (classificationId, batchId) pairs already seen in one file, as fingerprints: a file of a million rows is
 * checked for duplicates in about 32 MB. Not thread-safe: the file's rows are read by one iterator.
 */
final class PairFingerprints {

    private final FingerprintSet set = new FingerprintSet();

    /** Adds the pair; returns false when it was already there. */
    boolean add(String classificationId, String batchId) {
        return set.add(DeleteBatchRequest.pairKey(classificationId, batchId));
    }

    int size() {
        return set.size();
    }
}
