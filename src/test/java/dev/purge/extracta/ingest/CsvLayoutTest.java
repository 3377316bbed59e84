package dev.purge.extracta.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The header-name check every row goes through (a header line in the middle of a file is refused). */
class CsvLayoutTest {

    @Test
    void aHeaderNameMatchesIgnoringCaseSpacesDashesAndUnderscores() {
        for (String name : new String[] {"batchId", "batch_id", "Batch ID", "BATCH-ID", " batch\tid\r", "b_a_t_c_h_i_d"}) {
            assertThat(CsvLayout.isHeaderName(name, CsvLayout.BATCH)).as(name).isTrue();
        }
        assertThat(CsvLayout.isHeaderName("Classification Id", CsvLayout.CLASSIFICATION)).isTrue();
    }

    @Test
    void anythingElseIsNoHeaderName() {
        for (String value : new String[] {"batch", "batchid2", "xbatchid", "batch.id", "", "   ", "batchİd",
            "b-1234", "classificationid"}) {
            assertThat(CsvLayout.isHeaderName(value, CsvLayout.BATCH)).as(value).isFalse();
        }
        assertThat(CsvLayout.isHeaderName(null, CsvLayout.BATCH)).isFalse();
    }
}
