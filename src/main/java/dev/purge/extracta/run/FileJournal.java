package dev.purge.extracta.run;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of one input file, kept on disk while the file is in the inbox so a killed process resumes where it
 * stopped: which lines were sent ({@code A <line>}), which then got an answer that deleted nothing
 * ({@code N <line>}), and which reached their final outcome ({@code F <line> <OUTCOME>}). Each event is one whole line
 * written before the row moves on, so it survives {@code kill -9}.
 * <p>
 * A journal belongs to one file: it is named after the file's identity (device and inode, never its name) and starts
 * with {@code H <size> <sha256>}, the content it was written for. It is resumed only by a file that is that same file
 * and still starts with exactly those bytes (it may have grown: its new rows are new work); any other file with that
 * identity (the inode reused, the file rewritten) starts afresh. It is deleted only once the file has left the inbox.
 * Thread-safe: rows of a file finish on several threads.
 */
public final class FileJournal implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(FileJournal.class);

    private final Path path;
    private final BitSet attemptedEarlier = new BitSet();
    private final BitSet finalLines = new BitSet();
    private final Map<Outcome, Long> earlierOutcomes = new EnumMap<>(Outcome.class);
    private final AppendOnlyFile log;

    /** The content an existing journal was written for: its first {@code size} bytes hash to {@code hash}. */
    public record Header(long size, String hash) {
    }

    private FileJournal(Path path, boolean resume) throws IOException {
        this.path = path;
        if (resume) {
            try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                String text;
                while ((text = reader.readLine()) != null) {
                    read(text);
                }
            }
        }
        this.log = AppendOnlyFile.open(path);
    }

    public static Path pathFor(Path stateDir, InboxFile file) {
        return stateDir.resolve("files").resolve(file.identityDigest() + ".journal");
    }

    /** The header of the journal this file would resume, or null when there is none. */
    public static Header existingHeader(Path stateDir, InboxFile file) throws IOException {
        Header header = null;
        try (BufferedReader reader = Files.newBufferedReader(pathFor(stateDir, file), StandardCharsets.UTF_8)) {
            String text;
            while ((text = reader.readLine()) != null) {
                String[] parts = text.split(" ");
                if (parts.length == 3 && parts[0].equals("H")) {
                    try {
                        header = new Header(Long.parseLong(parts[1]), parts[2]);
                    } catch (NumberFormatException e) {
                        // a torn header: the journal is not resumed
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        return header;
    }

    /**
     * Opens the file's journal: resumed when {@code prefixHash} (the hash of the file's first {@code header.size}
     * bytes) matches the existing header, else started afresh for the content hashing to {@code hash}.
     * <p>
     * The prefix hash: null when the file is now shorter than the journal's content.
     */
    public static FileJournal open(Path stateDir, InboxFile file, Header existing, String prefixHash,
                            boolean prefixEndsWithLineBreak, String hash, String source) throws IOException {
        Path path = pathFor(stateDir, file);
        Files.createDirectories(path.getParent());
        // a file that grew is the same work plus new rows only if its old content ended with a whole line
        boolean resume = existing != null && existing.hash().equals(prefixHash)
                && (existing.size() == file.size() || (existing.size() < file.size() && prefixEndsWithLineBreak));
        if (existing != null && !resume) {
            LOG.info("{}: the progress journal found for this file was written for other content (the file was "
                    + "rewritten, or is a new file on a reused inode): it starts afresh", source);
            Files.delete(path);
        } else if (existing == null && Files.exists(path)) {
            Files.delete(path); // a journal cut short before its header was written: nothing was sent for it
        }
        FileJournal journal = new FileJournal(path, resume);
        if (!resume || existing.size() != file.size()) {
            journal.append("# " + source.replaceAll("\\p{Cntrl}", "?"));
            journal.append("H " + file.size() + " " + hash);
        }
        return journal;
    }

    private void read(String text) {
        String[] parts = text.split(" ");
        try {
            if (parts.length == 2 && parts[0].equals("A")) {
                attemptedEarlier.set(Math.toIntExact(Long.parseLong(parts[1])));
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
            // not an event line (a header, a comment)
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

    /** Outcome counts carried over from earlier runs. */
    Map<Outcome, Long> earlierOutcomes() {
        return earlierOutcomes;
    }

    public boolean resumed() {
        return !finalLines.isEmpty() || !attemptedEarlier.isEmpty();
    }

    public Path path() {
        return path;
    }

    void attempted(long line) throws IOException {
        append("A " + line);
    }

    /** The last attempt got a definite answer that deleted nothing: the line no longer counts as possibly sent. */
    void answered(long line) throws IOException {
        append("N " + line);
    }

    void finished(long line, Outcome outcome) throws IOException {
        append("F " + line + " " + outcome);
    }

    private void append(String event) throws IOException {
        log.append(event);
    }

    @Override
    public void close() throws IOException {
        log.close();
    }

    /** The file left the inbox: its progress is no longer needed. */
    public void delete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }
}
