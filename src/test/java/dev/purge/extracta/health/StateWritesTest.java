package dev.purge.extracta.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which folders readiness takes as writable: checked on the file system itself. */
class StateWritesTest {

    @TempDir
    Path dir;

    @Test
    void aWritableFolderOrOneThatCanBeCreatedIsFine() throws Exception {
        assertThat(StateWrites.folderProblem(dir)).isNull();
        assertThat(StateWrites.folderProblem(dir.resolve("not/yet/there"))).isNull();
    }

    @Test
    void aFileWhereTheFolderShouldBeOrUnderWhichItShouldBeCreatedIsAProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("reports"), "a file");
        assertThat(StateWrites.folderProblem(file)).isEqualTo("is not a folder");
        assertThat(StateWrites.folderProblem(file.resolve("daily"))).isEqualTo("cannot be created (" + file
                + " is not a folder)");
    }

    @Test
    void aFolderWithoutWritePermissionIsAProblem() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!Files.isWritable(folder), "root writes anywhere: permissions cannot be tried here");
            assertThat(StateWrites.folderProblem(folder)).isEqualTo("is not writable");
            assertThat(StateWrites.folderProblem(folder.resolve("sub"))).isEqualTo("cannot be created (" + folder
                    + " is not writable)");
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
