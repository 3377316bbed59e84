package dev.purge.extracta.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.purge.extracta.run.UnreadableFileException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Utf8FileScannerTest {

    @TempDir
    Path dir;

    private int counter;

    private Path file(byte[] content) throws IOException {
        Path file = dir.resolve("f" + (counter++) + ".csv");
        Files.write(file, content);
        return file;
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof int[] raw) {
                for (int b : raw) {
                    out.write(b);
                }
            } else {
                throw new IllegalArgumentException(String.valueOf(part));
            }
        }
        return out.toByteArray();
    }

    private UnreadableFileException refused(byte[] content) throws IOException {
        Path file = file(content);
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class,
                () -> Utf8FileScanner.scan(file));
        assertThat(e).as("scan should refuse the file").isNotNull();
        return e;
    }

    private void accepted(byte[] content) throws IOException {
        Path file = file(content);
        assertThatCode(() -> Utf8FileScanner.scan(file)).doesNotThrowAnyException();
    }

    @Test
    void emptyFileIsRefused() throws Exception {
        UnreadableFileException e = refused(new byte[0]);
        assertThat(e.getMessage()).contains("empty");
        assertThat(e.getLine()).isNull();
    }

    @Test
    void nulByteNamesItsLine() throws Exception {
        UnreadableFileException e = refused(bytes("c1,b1\nc2,b2\nc3,", new int[] {0}, "b3\nc4,b4\n"));
        assertThat(e.getMessage()).contains("NUL");
        assertThat(e.getLine()).isEqualTo(3L);
    }

    @Test
    void nulByteOnFirstByte() throws Exception {
        UnreadableFileException e = refused(bytes(new int[] {0, 'a'}));
        assertThat(e.getLine()).isEqualTo(1L);
    }

    @Test
    void invalidContinuationNamesItsLine() throws Exception {
        UnreadableFileException e = refused(bytes("c1,b1\nc2,", new int[] {0xC3, 0x28}, "\nc3,b3\n"));
        assertThat(e.getMessage()).contains("not valid UTF-8");
        assertThat(e.getLine()).isEqualTo(2L);
        assertThat(e.getMessage()).endsWith("(line 2)");
    }

    @Test
    void loneContinuationByteIsRefused() throws Exception {
        assertThat(refused(bytes("a\n", new int[] {0x80}, "\n")).getLine()).isEqualTo(2L);
    }

    @Test
    void latin1ByteIsRefused() throws Exception {
        // "café" in ISO-8859-1
        assertThat(refused(bytes("x\ny\ncaf", new int[] {0xE9}, "\n")).getLine()).isEqualTo(3L);
    }

    @Test
    void overlongEncodingsAreRefused() throws Exception {
        assertThat(refused(bytes("a", new int[] {0xC0, 0xAF})).getLine()).isEqualTo(1L);
        assertThat(refused(bytes("a", new int[] {0xC1, 0xBF})).getLine()).isEqualTo(1L);
        // three-byte overlong of '/'
        assertThat(refused(bytes("a\n", new int[] {0xE0, 0x80, 0xAF})).getLine()).isEqualTo(2L);
        // four-byte overlong
        assertThat(refused(bytes(new int[] {0xF0, 0x80, 0x80, 0xAF})).getLine()).isEqualTo(1L);
    }

    @Test
    void surrogatesAreRefused() throws Exception {
        assertThat(refused(bytes("ok\n", new int[] {0xED, 0xA0, 0x80})).getLine()).isEqualTo(2L);
        assertThat(refused(bytes(new int[] {0xED, 0xBF, 0xBF})).getLine()).isEqualTo(1L);
    }

    @Test
    void codePointsAboveUnicodeRangeAreRefused() throws Exception {
        refused(bytes(new int[] {0xF4, 0x90, 0x80, 0x80}));
        refused(bytes(new int[] {0xF5, 0x80, 0x80, 0x80}));
        refused(bytes(new int[] {0xFF}));
    }

    @Test
    void truncatedSequenceAtEndOfFileIsRefused() throws Exception {
        UnreadableFileException e = refused(bytes("a\nb\n\u65E5", new int[] {0xE6, 0x97}));
        assertThat(e.getMessage()).contains("not valid UTF-8");
        assertThat(e.getLine()).isEqualTo(3L);
    }

    @Test
    void truncatedSequenceBeforeNewlineNamesItsLine() throws Exception {
        assertThat(refused(bytes("a\nb", new int[] {0xF0, 0x9F}, "\nc\n")).getLine()).isEqualTo(2L);
    }

    @Test
    void validMultiByteTextPasses() throws Exception {
        accepted("classificationId,batchId\ncafé,日本\n😀,x\n".getBytes(StandardCharsets.UTF_8));
        // boundaries of the special lead bytes
        accepted(bytes(new int[] {0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF}));
    }

    @Test
    void bomPasses() throws Exception {
        accepted(bytes(new int[] {0xEF, 0xBB, 0xBF}, "classificationId,batchId\r\nc1,b1\r\n"));
    }

    @Test
    void invalidByteNearEndOfLargeFileNamesCorrectLine() throws Exception {
        // 2100 lines of 100 bytes = 210,000 bytes: several 64 KiB read chunks
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String line = "c".repeat(49) + "," + "b".repeat(49) + "\n";
        for (int i = 1; i <= 2100; i++) {
            if (i == 2090) {
                out.writeBytes(("c".repeat(20)).getBytes(StandardCharsets.US_ASCII));
                out.write(0xC3);
                out.write(0x28);
                out.writeBytes(("x".repeat(77) + "\n").getBytes(StandardCharsets.US_ASCII));
            } else {
                out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
            }
        }
        byte[] content = out.toByteArray();
        assertThat(content.length).isGreaterThan(200_000);
        UnreadableFileException e = refused(content);
        assertThat(e.getLine()).isEqualTo(2090L);
    }

    @Test
    void multiByteCharacterSplitAcrossChunkBoundaryPasses() throws Exception {
        int chunk = 64 * 1024;
        for (int offset = 1; offset <= 3; offset++) {
            // place a 4-byte emoji so that it starts 'offset' bytes before the chunk boundary
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int before = chunk - offset;
            for (int i = 0; i < before; i++) {
                out.write(i % 100 == 99 ? '\n' : 'a');
            }
            out.writeBytes("😀\n".getBytes(StandardCharsets.UTF_8));
            out.writeBytes("tail\n".getBytes(StandardCharsets.UTF_8));
            accepted(out.toByteArray());
        }
    }

    @Test
    void invalidContinuationRightAfterChunkBoundaryIsRefusedWithLine() throws Exception {
        int chunk = 64 * 1024;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int lines = 0;
        for (int i = 0; i < chunk - 1; i++) {
            boolean nl = i % 100 == 99;
            out.write(nl ? '\n' : 'a');
            if (nl) {
                lines++;
            }
        }
        out.write(0xE6);       // last byte of the first chunk: a 3-byte lead
        out.write('z');        // first byte of the second chunk: not a continuation
        out.writeBytes("\nmore\n".getBytes(StandardCharsets.US_ASCII));
        UnreadableFileException e = refused(out.toByteArray());
        assertThat(e.getLine()).isEqualTo(lines + 1L);
    }

    @Test
    void countsLoneCarriageReturnsAndCrlfAsOneLineBreakEach() throws Exception {
        // line 1 CR, line 2 CRLF, line 3 LF, NUL on line 4
        Path file = dir.resolve("cr.csv");
        java.nio.file.Files.write(file, new byte[] {'a', '\r', 'b', '\r', '\n', 'c', '\n', 'd', 0});
        UnreadableFileException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                UnreadableFileException.class, () -> Utf8FileScanner.scan(file));
        assertThat(e).isNotNull();
        assertThat(e.getLine()).isEqualTo(4L);
    }
}
