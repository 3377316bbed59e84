package dev.purge.extracta.run;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A text file of records, one a line, each written whole or not at all: a write that fails part way (disk full, an I/O
 * error) is cut back to where it began before the failure is reported, and a partial last line left by a killed
 * process (or by a writer that failed and could not cut back) is cut off when the file is opened, so the next record
 * is never glued onto a torn one. Used for the progress journals, the deleted-pairs file and the dead-letter files.
 * One writer per file: the data folder lock keeps other processes out. Thread-safe.
 */
public final class AppendOnlyFile implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(AppendOnlyFile.class);
    private static final int TAIL_CHUNK = 8192;

    private final Path path;
    private final FileChannel channel;
    private long size;

    private AppendOnlyFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** Opens (or creates) the file, cutting off a torn last line. */
    public static AppendOnlyFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            long whole = endOfLastLine(channel, size);
            if (whole < size) {
                channel.truncate(whole);
                LOG.warn("{} ended with a partial record ({} bytes, from a write cut short by a crash or a full disk): "
                        + "removed", path, size - whole);
            }
            return new AppendOnlyFile(path, channel, whole);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The position just after the last line break, or 0 when there is none. */
    private static long endOfLastLine(FileChannel channel, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(TAIL_CHUNK);
        long end = size;
        while (end > 0) {
            long start = Math.max(0, end - TAIL_CHUNK);
            buffer.clear().limit((int) (end - start));
            while (buffer.hasRemaining() && channel.read(buffer, start + buffer.position()) > 0) {
                // read the chunk whole
            }
            for (int i = buffer.position() - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }

    /** Appends one record and its line break; on failure nothing of it stays in the file. */
    public synchronized void append(String record) throws IOException {
        byte[] bytes = (record + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long start = size;
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer, start + buffer.position());
            }
        } catch (IOException e) {
            try {
                channel.truncate(start);
            } catch (IOException cutFailed) {
                e.addSuppressed(cutFailed); // the torn record is cut off at the next open
            }
            throw e;
        }
        size = start + bytes.length;
    }

    Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
