package dev.purge.extracta.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small file system of its own (tmpfs), to fill up for real: the only honest way to see what a full disk does.
 * Mounting needs root; where it is not allowed, the tests that need it are skipped ({@link #available}).
 */
public final class SmallDisk implements AutoCloseable {

    public final Path root;

    private SmallDisk(Path root) {
        this.root = root;
    }

    /** Mounts a tmpfs of {@code kilobytes} at a fresh folder under target/, or returns null when it cannot. */
    public static SmallDisk mount(int kilobytes) throws Exception {
        Path root = Files.createDirectories(Path.of("target", "small-disk-" + System.nanoTime()).toAbsolutePath());
        if (run("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k", "tmpfs", root.toString()) != 0) {
            return null;
        }
        return new SmallDisk(root);
    }

    /** Fills the disk to the last byte with {@code .filler}; delete it to free the space again. */
    public Path fill() throws IOException {
        Path filler = root.resolve(".filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] chunk = new byte[4096];
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // no space left: that is the point
        }
        for (int i = 0; ; i++) { // and the very last bytes of a partly used page
            try {
                Files.write(root.resolve(".filler-" + i), new byte[1]);
            } catch (IOException full) {
                break;
            }
        }
        return filler;
    }

    /** Frees what {@link #fill} took. */
    public void free() throws IOException {
        try (var files = Files.list(root)) {
            for (Path p : (Iterable<Path>) files.filter(p -> p.getFileName().toString().startsWith(".filler"))::iterator) {
                Files.delete(p);
            }
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Override
    public void close() throws Exception {
        run("umount", "-l", root.toString());
    }
}
