package dev.purge.extracta.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A set of 128-bit SHA-256 prefixes of strings in an open-addressing table: 16 to 32 bytes an entry instead of the
 * strings themselves. Two different strings share a fingerprint with a probability near 2^-128 · n²: never, in
 * practice. Not thread-safe.
 */
public final class FingerprintSet {

    private static final double MAX_LOAD = 0.6;

    private final MessageDigest sha256;
    private long[] slots = new long[2 * 1024]; // pairs of longs; (0, 0) marks an empty slot
    private int size;

    public FingerprintSet() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The fingerprint of a string as two longs, never (0, 0). */
    long[] fingerprint(String key) {
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest(key.getBytes(StandardCharsets.UTF_8)));
        long high = digest.getLong();
        long low = digest.getLong();
        return new long[] {high, high == 0 && low == 0 ? 1 : low};
    }

    /** Adds the string; returns false when it was already there. */
    public boolean add(String key) {
        long[] fp = fingerprint(key);
        return add(fp[0], fp[1]);
    }

    boolean contains(String key) {
        long[] fp = fingerprint(key);
        return contains(fp[0], fp[1]);
    }

    boolean contains(long high, long low) {
        return !isEmpty(slots, indexOf(slots, high, low));
    }

    /**
     * Removes a fingerprint; returns false when it was not there. Linear probing without tombstones: the entries
     * after the freed slot that would no longer be found are shifted back into it.
     */
    boolean remove(long high, long low) {
        int mask = slots.length / 2 - 1;
        int free = indexOf(slots, high, low);
        if (isEmpty(slots, free)) {
            return false;
        }
        slots[2 * free] = 0;
        slots[2 * free + 1] = 0;
        size--;
        for (int slot = (free + 1) & mask; !isEmpty(slots, slot); slot = (slot + 1) & mask) {
            int home = home(slots[2 * slot], mask);
            // the entry may move to the free slot only if its home does not lie cyclically in (free, slot]
            boolean reachableWithoutFree = free <= slot ? (home > free && home <= slot) : (home > free || home <= slot);
            if (!reachableWithoutFree) {
                slots[2 * free] = slots[2 * slot];
                slots[2 * free + 1] = slots[2 * slot + 1];
                slots[2 * slot] = 0;
                slots[2 * slot + 1] = 0;
                free = slot;
            }
        }
        return true;
    }

    /** Adds a fingerprint read back from a store; returns false when it was already there. */
    public boolean add(long high, long low) {
        if (size + 1 > MAX_LOAD * (slots.length / 2)) {
            grow();
        }
        int slot = indexOf(slots, high, low);
        if (!isEmpty(slots, slot)) {
            return false;
        }
        slots[2 * slot] = high;
        slots[2 * slot + 1] = low;
        size++;
        return true;
    }

    public int size() {
        return size;
    }

    /** The slot holding the fingerprint, or the empty slot where it would go. */
    private static int indexOf(long[] table, long high, long low) {
        int mask = table.length / 2 - 1;
        int slot = home(high, mask);
        while (!isEmpty(table, slot) && (table[2 * slot] != high || table[2 * slot + 1] != low)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int home(long high, int mask) {
        return (int) (high ^ (high >>> 32)) & mask;
    }

    private static boolean isEmpty(long[] table, int slot) {
        return table[2 * slot] == 0 && table[2 * slot + 1] == 0;
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i] != 0 || slots[i + 1] != 0) {
                int slot = indexOf(bigger, slots[i], slots[i + 1]);
                bigger[2 * slot] = slots[i];
                bigger[2 * slot + 1] = slots[i + 1];
            }
        }
        slots = bigger;
    }
}
