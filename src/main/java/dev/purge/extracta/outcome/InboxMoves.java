package dev.purge.extracta.outcome;

import dev.purge.extracta.run.InboxFile;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a finished file out of the inbox into {@code .done/} or {@code .failed/} beside it, as
 * {@code <timestamp>-<name>} so nothing there is ever replaced. Only the very file that was read is moved: when
 * another file has taken its name meanwhile (renamed over it by an upstream job), that file stays in the inbox for its
 * own turn, and a copy of what was read is kept instead. Camel's own {@code move} option works by name, and would
 * move such a newer file unread; the inbox route therefore leaves every file where it is ({@code noop}).
 */
final class InboxMoves {

    private static final Logger LOG = LoggerFactory.getLogger(InboxMoves.class);
    /** Same shape as the names in .done/ and .failed/ always had. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS");

    private InboxMoves() {
    }

    /** Where a file named like this goes in {@code folder} beside it. */
    static Path target(Path file, String folder) throws IOException {
        Path dir = Files.createDirectories(file.resolveSibling(folder));
        return dir.resolve(TIMESTAMP.format(LocalDateTime.now()) + "-" + file.getFileName());
    }

    /**
     * Moves the pinned file out, or, if its name now belongs to another file, keeps a copy of what was read. Returns
     * true when the file itself left, false when a copy was kept (the name, and its marker, are the new file's).
     */
    static boolean moveOut(InboxFile file, String folder) throws IOException {
        Path path = file.path();
        Path target = target(path, folder);
        if (file.whereNow() == InboxFile.Where.REPLACED) {
            file.copyTo(target);
            LOG.info("{} was replaced while it was read (another file has its name now): a copy of what was read is "
                    + "kept as {}; the new file stays in the inbox and is read on its own", path.getFileName(), target);
            return false;
        }
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        if (!file.isSameFileAs(target)) {
            // another file took the name between the look and the move: it goes back, unread, and ours is copied
            putBack(target, path);
            file.copyTo(target);
            LOG.info("{} was replaced just as it was moved: the new file is back in the inbox; a copy of what was "
                    + "read is kept as {}", path.getFileName(), target);
            return false;
        }
        return true;
    }

    /** Moves a file that is not pinned (a symbolic link, which is never opened): the link itself, never its target. */
    static Path moveLink(Path file, String folder) throws IOException {
        return Files.move(file, target(file, folder));
    }

    private static void putBack(Path moved, Path name) throws IOException {
        try {
            Files.move(moved, name);
        } catch (FileAlreadyExistsException e) {
            // yet another file has the name now: this one keeps a name of its own in the inbox, and is read as such
            Path other = target(name, ".").normalize();
            Files.move(moved, other);
            LOG.warn("{} was replaced twice while it was moved: the file in between is back in the inbox as {}",
                    name.getFileName(), other.getFileName());
        }
    }
}
