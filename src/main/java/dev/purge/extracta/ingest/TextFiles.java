package dev.purge.extracta.ingest;

import dev.purge.extracta.run.InboxFile;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/** Opens a dropped file (or a stream of its bytes) as strict UTF-8 text, skipping a leading byte order mark. */
final class TextFiles {

    private TextFiles() {
    }

    /** The text of a pinned file, as it was when taken. */
    static Reader open(InboxFile file, LongConsumer bytesRead) throws IOException {
        return open(file.openStream(), bytesRead);
    }

    static Reader open(InputStream raw, LongConsumer bytesRead) throws IOException {
        InputStream in = new BufferedInputStream(new CountingInputStream(raw, bytesRead), 64 * 1024);
        try {
            in.mark(3);
            byte[] head = in.readNBytes(3);
            boolean bom = head.length == 3
                    && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF;
            if (!bom) {
                in.reset();
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    /** A line holding only whitespace or delimiters counts as blank. */
    static boolean isBlank(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!Character.isWhitespace(c) && c != ',' && c != ';' && c != '\uFEFF') {
                return false;
            }
        }
        return true;
    }
}
