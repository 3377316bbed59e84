package dev.purge.extracta;

/**
 * The (classificationId, batchId) pairs already seen in one file, as fingerprints: a file of a million rows is
 * checked for duplicates in about 32 MB. Not thread-safe: the file's rows are read by one iterator.
 */
final class PairFingerprints {

    private final FingerprintSet set = new FingerprintSet();

    /** Adds the pair; returns false when it was already there. */
    boolean add(String classificationId, String batchId) {
        return set.add(pairKey(classificationId, batchId));
    }

    int size() {
        return set.size();
    }

    /** One string for a pair: '/' never occurs in a valid ID, so ("a/b", "c") cannot be confused with ("a", "b/c"). */
    static String pairKey(String classificationId, String batchId) {
        return classificationId + "/" + batchId;
    }
}
