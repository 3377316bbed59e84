package dev.purge.extracta.ledger;

import dev.purge.extracta.run.AppendOnlyFile;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent, bounded idempotent repository in one local file: each key is kept as a 128-bit fingerprint (32 hex
 * characters a line on disk), appended with one write before {@link #add} returns, so it survives a killed process.
 * The file is the only truth; its index for lookups, a {@link FingerprintSet} of 16 to 32 bytes a key, is made from it
 * at each start and lives off the heap (a memory-mapped scratch file next to it, {@code <file>.index-*.fpset}, unlinked
 * at once) once past a few thousand keys, so the heap stays flat however many pairs are remembered. {@link #remove} appends a tombstone ({@code -} and the fingerprint) the same way, so
 * claims that come and go cost one line each, never a rewrite. Past {@code maxEntries} the oldest quarter is dropped;
 * once most lines of the file are dead (removed keys), it is rewritten with the live ones. Camel's own
 * FileIdempotentRepository scans its whole file on every new key, which is too slow for files of 100,000 rows; any
 * other {@link IdempotentRepository} (JDBC, say) can replace this one by configuration.
 */
public class FingerprintFileIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(FingerprintFileIdempotentRepository.class);
    private static final HexFormat HEX = HexFormat.of();

    private Path file = Path.of("data", "state", "deleted-pairs.fp");
    private int maxEntries = 2_000_000;
    /** Dead lines (removed keys and their tombstones) tolerated before a rewrite, beyond the live ones. */
    private static final long DEAD_LINES_BEFORE_REWRITE = 100_000;
    private static final char TOMBSTONE = '-';
    /** The index's scratch files' names start with the file's name and this. */
    private static final String INDEX_INFIX = ".index-";

    private FingerprintSet set;
    private AppendOnlyFile channel;
    /** Lines in the file, live or dead. */
    private long fileLines;

    public void setFile(String file) {
        this.file = Path.of(file);
    }

    public void setMaxEntries(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
    }

    /** On disk first, then in memory: a write that fails leaves both without the key (never a claim nobody holds). */
    @Override
    public boolean add(String key) {
        long[] fp = FingerprintSet.fingerprint(key); // hashed outside the lock the workers share
        synchronized (this) {
            return add(fp);
        }
    }

    private boolean add(long[] fp) {
        load();
        if (set.contains(fp[0], fp[1])) {
            return false;
        }
        set.makeRoom(); // a table that cannot grow (a full disk) fails here, before the line is written
        append(toLine(fp));
        set.add(fp[0], fp[1]);
        if (set.size() > maxEntries) {
            compact();
        }
        return true;
    }

    @Override
    public boolean contains(String key) {
        long[] fp = FingerprintSet.fingerprint(key);
        synchronized (this) {
            load();
            return set.contains(fp[0], fp[1]);
        }
    }

    /** Forgets the key with one appended tombstone line. */
    @Override
    public boolean remove(String key) {
        long[] fp = FingerprintSet.fingerprint(key);
        synchronized (this) {
            return remove(fp);
        }
    }

    private boolean remove(long[] fp) {
        load();
        if (!set.contains(fp[0], fp[1])) {
            return false;
        }
        append(TOMBSTONE + toLine(fp));
        set.remove(fp[0], fp[1]);
        if (fileLines > 2L * set.size() + DEAD_LINES_BEFORE_REWRITE) {
            rewrite(set.size());
        }
        return true;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        load();
        rewrite(0);
    }

    @Override
    protected synchronized void doStart() {
        load();
    }

    @Override
    protected synchronized void doStop() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        closeIndex();
    }

    private void closeIndex() {
        if (set != null) {
            set.close();
            set = null;
        }
    }

    private void load() {
        if (set != null) {
            return;
        }
        try {
            Path folder = file.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            String indexPrefix = file.getFileName() + INDEX_INFIX;
            FingerprintSet.removeLeftovers(folder, indexPrefix);
            set = new FingerprintSet(folder, indexPrefix);
            fileLines = 0;
            // a torn last line (a crash or a full disk mid-write) is cut off before anything is read or appended
            channel = AppendOnlyFile.open(file);
            if (Files.exists(file)) {
                try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        fileLines++;
                        long[] fp = parse(line, 0);
                        long[] removed = fp == null ? parse(line, 1) : null;
                        if (fp != null) {
                            set.add(fp[0], fp[1]);
                        } else if (removed != null && line.charAt(0) == TOMBSTONE) {
                            set.remove(removed[0], removed[1]);
                        }
                        // anything else is a damaged line: that key is forgotten, never a wrong one remembered
                    }
                }
            }
            LOG.info("Idempotent repository {}: {} deleted pairs remembered", file, set.size());
            if (set.size() > maxEntries) {
                compact();
            }
        } catch (IOException | UncheckedIOException e) {
            closeIndex();
            closeQuietly();
            throw new UncheckedIOException("cannot open the idempotent repository " + file,
                    e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        }
    }

    /** The fingerprint written from {@code offset} to the end of the line, or null if that is not one. */
    private static long[] parse(String line, int offset) {
        if (line.length() != offset + 32) {
            return null;
        }
        try {
            return new long[] {HEX.fromHexDigitsToLong(line, offset, offset + 16),
                HEX.fromHexDigitsToLong(line, offset + 16, offset + 32)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // reopened at the next load
            }
            channel = null;
        }
    }

    private void append(String line) {
        try {
            channel.append(line);
            fileLines++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the idempotent repository " + file, e);
        }
    }

    /** Keeps the newest three quarters of maxEntries. */
    private void compact() {
        int keep = Math.max(1, maxEntries * 3 / 4);
        LOG.warn("Idempotent repository {} holds more than {} pairs: dropping the oldest, keeping {}", file,
                maxEntries, keep);
        rewrite(keep);
    }

    /**
     * Rewrites the file with the newest {@code keep} live keys, oldest first, in one streaming pass that needs no
     * memory beyond the set itself: a line is kept when the set still holds its key (a key removed and added again
     * may keep two lines, which load as one); the oldest keys beyond {@code keep} leave the set as they are passed.
     */
    private void rewrite(int keep) {
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            long skip = (long) set.size() - keep;
            long written = 0;
            try (BufferedWriter writer = Files.newBufferedWriter(temp, StandardCharsets.US_ASCII)) {
                if (Files.exists(file)) {
                    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            long[] fp = parse(line, 0);
                            if (fp == null || !set.contains(fp[0], fp[1])) {
                                continue;
                            }
                            if (skip > 0) {
                                skip--;
                                set.remove(fp[0], fp[1]);
                                continue;
                            }
                            writer.write(line);
                            writer.write('\n');
                            written++;
                        }
                    }
                }
            }
            if (channel != null) {
                channel.close();
                channel = null;
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            channel = AppendOnlyFile.open(file);
            fileLines = written;
        } catch (IOException e) {
            // the set still holds what the old file held; the next open reads whichever file is there
            closeIndex();
            closeQuietly();
            throw new UncheckedIOException("cannot rewrite the idempotent repository " + file, e);
        }
    }

    private static String toLine(long[] fp) {
        return HEX.toHexDigits(fp[0]) + HEX.toHexDigits(fp[1]);
    }
}
