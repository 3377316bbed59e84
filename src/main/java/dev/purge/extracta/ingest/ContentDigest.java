package dev.purge.extracta.ingest;

import dev.purge.extracta.run.InboxFile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes what is read through it (SHA-256), and also the hash of its first {@code prefixLength} bytes, so the one
 * pass that checks a file also tells whether the file still starts with the bytes a progress journal was written for.
 * Remembers the last byte read (does the file end with a line break?).
 */
final class ContentDigest extends FilterInputStream {

    private final MessageDigest digest = InboxFile.sha256();
    private final long prefixLength;
    private String prefixHash;
    private boolean prefixEndsWithLineBreak;
    private long count;
    private int lastByte = -1;

    /** @param prefixLength length of the prefix to hash on its own, or -1 for none */
    ContentDigest(InputStream in, long prefixLength) {
        super(in);
        this.prefixLength = prefixLength;
        if (prefixLength == 0) {
            prefixHash = hex(clone(digest));
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n <= 0) {
            return n;
        }
        if (prefixHash == null && prefixLength > 0 && count + n >= prefixLength) {
            int head = (int) (prefixLength - count);
            digest.update(b, off, head);
            prefixHash = hex(clone(digest));
            int end = b[off + head - 1] & 0xFF;
            prefixEndsWithLineBreak = end == '\n' || end == '\r';
            digest.update(b, off + head, n - head);
        } else {
            digest.update(b, off, n);
        }
        count += n;
        lastByte = b[off + n - 1] & 0xFF;
        return n;
    }

    @Override
    public int read() throws IOException {
        return InboxFile.readOne(this); // every byte through the digest
    }

    /** The hash of everything read, once the stream is read to its end. */
    String hash() {
        return hex(clone(digest));
    }

    /** The hash of the first {@code prefixLength} bytes, or null when the stream was shorter. */
    String prefixHash() {
        return prefixHash;
    }

    /** Whether the prefix ends with a line break: rows appended after it are new rows, not the end of its last one. */
    boolean prefixEndsWithLineBreak() {
        return prefixEndsWithLineBreak || prefixLength == 0;
    }

    /** Whether the last byte read is a line break (LF or CR): the last line of the file is complete. */
    boolean endsWithLineBreak() {
        return lastByte == '\n' || lastByte == '\r';
    }

    private static MessageDigest clone(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests can be cloned in every Java runtime", e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
