package dev.purge.extracta;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent, bounded idempotent repository in one local file: each key is kept as a 128-bit fingerprint (32 hex
 * characters a line on disk, 16 to 32 bytes in memory), appended with one write before {@link #add} returns, so it
 * survives a killed process. Past {@code maxEntries} the oldest quarter is dropped. Camel's own
 * FileIdempotentRepository scans its whole file on every new key, which is too slow for files of 100,000 rows; any
 * other {@link IdempotentRepository} (JDBC, say) can replace this one by configuration.
 */
public class FingerprintFileIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(FingerprintFileIdempotentRepository.class);
    private static final HexFormat HEX = HexFormat.of();

    private Path file = Path.of("data", "state", "deleted-pairs.fp");
    private int maxEntries = 2_000_000;
    private FingerprintSet set;
    private FileChannel channel;

    public void setFile(String file) {
        this.file = Path.of(file);
    }

    public void setMaxEntries(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
    }

    @Override
    public synchronized boolean add(String key) {
        load();
        long[] fp = set.fingerprint(key);
        if (!set.add(fp[0], fp[1])) {
            return false;
        }
        append(fp);
        if (set.size() > maxEntries) {
            compact();
        }
        return true;
    }

    @Override
    public synchronized boolean contains(String key) {
        load();
        return set.contains(key);
    }

    /** Rare (Camel's idempotent consumer on rollback): rewrites the file without the key. */
    @Override
    public synchronized boolean remove(String key) {
        load();
        if (!set.contains(key)) {
            return false;
        }
        String line = toLine(set.fingerprint(key));
        rewrite(lines -> lines.removeIf(line::equals));
        return true;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        load();
        rewrite(Deque::clear);
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
        set = null;
    }

    private void load() {
        if (set != null) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            set = new FingerprintSet();
            if (Files.exists(file)) {
                try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.length() == 32) {
                            try {
                                set.add(HEX.fromHexDigitsToLong(line, 0, 16), HEX.fromHexDigitsToLong(line, 16, 32));
                            } catch (IllegalArgumentException e) {
                                // a damaged line: that key is forgotten, never a wrong one remembered
                            }
                        }
                    }
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            LOG.info("Idempotent repository {}: {} deleted pairs remembered", file, set.size());
            if (set.size() > maxEntries) {
                compact();
            }
        } catch (IOException e) {
            set = null;
            throw new UncheckedIOException("cannot open the idempotent repository " + file, e);
        }
    }

    private void append(long[] fp) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap((toLine(fp) + "\n").getBytes(StandardCharsets.US_ASCII));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the idempotent repository " + file, e);
        }
    }

    /** Keeps the newest three quarters of maxEntries. */
    private void compact() {
        int keep = Math.max(1, maxEntries * 3 / 4);
        LOG.warn("Idempotent repository {} holds more than {} pairs: dropping the oldest, keeping {}", file,
                maxEntries, keep);
        rewrite(lines -> {
            while (lines.size() > keep) {
                lines.removeFirst();
            }
        });
    }

    private interface Edit {
        void apply(Deque<String> lines);
    }

    private void rewrite(Edit edit) {
        try {
            Deque<String> lines = new ArrayDeque<>();
            if (Files.exists(file)) {
                try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.length() == 32) {
                            lines.add(line);
                        }
                    }
                }
            }
            edit.apply(lines);
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temp, lines, StandardCharsets.US_ASCII);
            if (channel != null) {
                channel.close();
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            set = null;
            channel = null;
            load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the idempotent repository " + file, e);
        }
    }

    private static String toLine(long[] fp) {
        return HEX.toHexDigits(fp[0]) + HEX.toHexDigits(fp[1]);
    }
}
