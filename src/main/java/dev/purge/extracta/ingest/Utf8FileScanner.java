package dev.purge.extracta.ingest;

import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * First look at a dropped file, byte by byte and in constant memory: refuses empty files, binary content (NUL bytes)
 * and anything that is not well-formed UTF-8, naming the line where the problem is.
 */
public final class Utf8FileScanner {

    private Utf8FileScanner() {
    }

    /** Scans a file on its own (tests, tools). */
    public static void scan(Path file) throws IOException, UnreadableFileException {
        try (InboxFile pinned = InboxFile.open(file); InputStream in = pinned.openStream()) {
            scan(in);
        }
    }

    /** Scans the stream to its end; the caller closes it. */
    public static void scan(InputStream in) throws IOException, UnreadableFileException {
        long bytes = 0;
        long line = 1;
        int pending = 0;          // continuation bytes still expected
        int secondMin = 0x80;     // bounds of the byte right after a lead byte (rules out overlongs and surrogates)
        int secondMax = 0xBF;
        boolean second = false;
        boolean afterCr = false;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            bytes += n;
            for (int i = 0; i < n; i++) {
                int b = buffer[i] & 0xFF;
                if (pending > 0) {
                    int min = second ? secondMin : 0x80;
                    int max = second ? secondMax : 0xBF;
                    if (b < min || b > max) {
                        throw notUtf8(line);
                    }
                    second = false;
                    pending--;
                    continue;
                }
                if (b == 0) {
                    throw new UnreadableFileException("binary content: NUL byte", line);
                }
                // a line ends at LF, CRLF or a lone CR, as the CSV and JSON-lines readers count them
                if (b == '\n') {
                    if (!afterCr) {
                        line++;
                    }
                    afterCr = false;
                    continue;
                }
                if (afterCr) {
                    afterCr = false;
                }
                if (b == '\r') {
                    line++;
                    afterCr = true;
                } else if (b >= 0x80) {
                    secondMin = 0x80;
                    secondMax = 0xBF;
                    if (b >= 0xC2 && b <= 0xDF) {
                        pending = 1;
                    } else if (b >= 0xE0 && b <= 0xEF) {
                        pending = 2;
                        if (b == 0xE0) {
                            secondMin = 0xA0;
                        } else if (b == 0xED) {
                            secondMax = 0x9F;
                        }
                    } else if (b >= 0xF0 && b <= 0xF4) {
                        pending = 3;
                        if (b == 0xF0) {
                            secondMin = 0x90;
                        } else if (b == 0xF4) {
                            secondMax = 0x8F;
                        }
                    } else {
                        throw notUtf8(line);
                    }
                    second = true;
                }
            }
        }
        if (bytes == 0) {
            throw new UnreadableFileException("file is empty (0 bytes)", null);
        }
        if (pending > 0) {
            throw notUtf8(line);
        }
    }

    private static UnreadableFileException notUtf8(long line) {
        return new UnreadableFileException("not valid UTF-8 text", line);
    }
}
