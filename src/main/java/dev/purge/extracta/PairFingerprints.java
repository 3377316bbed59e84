package dev.purge.extracta;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The (classificationId, batchId) pairs already seen in one file, kept as 128-bit SHA-256 prefixes in an
 * open-addressing table: 16 to 32 bytes a pair instead of two strings, so a file of a million rows is checked for
 * duplicates in about 32 MB. Two different pairs share a fingerprint with a probability near 2^-128 · n²: never, in
 * practice. Not thread-safe: the file's rows are read by one iterator.
 */
final class PairFingerprints {

    private static final double MAX_LOAD = 0.6;

    private final MessageDigest sha256;
    private long[] slots = new long[2 * 1024]; // pairs of longs; (0, 0) marks an empty slot
    private int size;

    PairFingerprints() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Adds the pair; returns false when it was already there. */
    boolean add(String classificationId, String batchId) {
        sha256.reset();
        sha256.update(String.valueOf(classificationId).getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0); // IDs never contain NUL, so ("a","bc") and ("ab","c") differ
        sha256.update(String.valueOf(batchId).getBytes(StandardCharsets.UTF_8));
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        long high = digest.getLong();
        long low = digest.getLong();
        if (high == 0 && low == 0) {
            low = 1; // keep (0, 0) free as the empty marker
        }
        if (size + 1 > MAX_LOAD * capacity()) {
            grow();
        }
        if (!insert(slots, high, low)) {
            return false;
        }
        size++;
        return true;
    }

    int size() {
        return size;
    }

    private int capacity() {
        return slots.length / 2;
    }

    private static boolean insert(long[] table, long high, long low) {
        int mask = table.length / 2 - 1;
        int slot = (int) (high ^ (high >>> 32)) & mask;
        while (true) {
            long h = table[2 * slot];
            long l = table[2 * slot + 1];
            if (h == 0 && l == 0) {
                table[2 * slot] = high;
                table[2 * slot + 1] = low;
                return true;
            }
            if (h == high && l == low) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i] != 0 || slots[i + 1] != 0) {
                insert(bigger, slots[i], slots[i + 1]);
            }
        }
        slots = bigger;
    }
}
