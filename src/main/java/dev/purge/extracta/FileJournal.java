package dev.purge.extracta;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.Map;

/**
 * The progress of one input file, kept on disk while the file is in the inbox so a killed process resumes where it
 * stopped: which lines were sent ({@code A <line>}), which then got an answer that deleted nothing
 * ({@code N <line>}), and which reached their final outcome ({@code F <line> <OUTCOME>}), and, just before a line's pair is claimed in
 * the deleted-pairs repository, {@code C <line>} (a claim left there by a killed run is this file's own). Each event is one write before the row moves on, so it survives {@code kill -9}.
 * The journal is named after the file's name, size and modification time, and deleted once the file leaves the
 * inbox. Thread-safe: rows of a file finish on several threads.
 */
final class FileJournal implements Closeable {

    private final Path path;
    private final BitSet attemptedEarlier = new BitSet();
    private final BitSet finalLines = new BitSet();
    private final BitSet claimedEarlier = new BitSet();
    private final Map<Outcome, Long> earlierOutcomes = new EnumMap<>(Outcome.class);
    private final FileChannel channel;

    private FileJournal(Path path) throws IOException {
        this.path = path;
        if (Files.exists(path)) {
            try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.US_ASCII)) {
                String text;
                while ((text = reader.readLine()) != null) {
                    read(text);
                }
            }
        }
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    static FileJournal open(Path stateDir, String source, long size, long lastModified) throws IOException {
        Path dir = Files.createDirectories(stateDir.resolve("files"));
        String safeName = source.replaceAll("[^A-Za-z0-9._-]", "_");
        return new FileJournal(dir.resolve(safeName + "." + size + "." + lastModified + ".journal"));
    }

    private void read(String text) {
        String[] parts = text.split(" ");
        try {
            if (parts.length == 2 && parts[0].equals("A")) {
                attemptedEarlier.set(Math.toIntExact(Long.parseLong(parts[1])));
            } else if (parts.length == 2 && parts[0].equals("C")) {
                claimedEarlier.set(Math.toIntExact(Long.parseLong(parts[1])));
            } else if (parts.length == 2 && parts[0].equals("N")) {
                attemptedEarlier.clear(Math.toIntExact(Long.parseLong(parts[1])));
            } else if (parts.length == 3 && parts[0].equals("F")) {
                int line = Math.toIntExact(Long.parseLong(parts[1]));
                if (!finalLines.get(line)) {
                    finalLines.set(line);
                    earlierOutcomes.merge(Outcome.valueOf(parts[2]), 1L, Long::sum);
                }
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // a line cut short by a kill: the event did not happen
        }
    }

    /** Lines that reached a final outcome in an earlier run: they are neither sent nor dead-lettered again. */
    boolean isFinal(long line) {
        return line <= Integer.MAX_VALUE && finalLines.get((int) line);
    }

    /** Whether an earlier run sent this line at least once (its outcome unknown: it was in flight). */
    boolean wasAttemptedEarlier(long line) {
        return line <= Integer.MAX_VALUE && attemptedEarlier.get((int) line);
    }

    /** Whether an earlier run claimed this line's pair: a claim found on it now may be that run's. */
    boolean wasClaimedEarlier(long line) {
        return line <= Integer.MAX_VALUE && claimedEarlier.get((int) line);
    }

    /** Outcome counts carried over from earlier runs. */
    Map<Outcome, Long> earlierOutcomes() {
        return earlierOutcomes;
    }

    boolean resumed() {
        return !finalLines.isEmpty() || !attemptedEarlier.isEmpty();
    }

    void attempted(long line) {
        append("A " + line);
    }

    void claiming(long line) {
        append("C " + line);
    }

    /** The last attempt got a definite answer that deleted nothing: the line no longer counts as possibly sent. */
    void answered(long line) {
        append("N " + line);
    }

    void finished(long line, Outcome outcome) {
        append("F " + line + " " + outcome);
    }

    private void append(String event) {
        ByteBuffer buffer = ByteBuffer.wrap((event + "\n").getBytes(StandardCharsets.US_ASCII));
        try {
            synchronized (channel) {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the progress journal " + path, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** The file left the inbox: its progress is no longer needed. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }
}
