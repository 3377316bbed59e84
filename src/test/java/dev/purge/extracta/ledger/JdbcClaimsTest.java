package dev.purge.extracta.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Shared claims in a real PostgreSQL: leases across time zones, an older table, failed releases, the stop. */
class JdbcClaimsTest {

    private static final long LONG_LEASE = 60_000;
    private static final TimeZone ORIGINAL_ZONE = TimeZone.getDefault();
    static EmbeddedPostgres postgres;
    private PGSimpleDataSource dataSource;

    @BeforeAll
    static void startDatabase() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void freshTable() throws Exception {
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.getJdbcUrl("postgres", "postgres"));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS EXTRACTA_CLAIMS");
        }
    }

    @AfterEach
    void restoreZone() {
        TimeZone.setDefault(ORIGINAL_ZONE);
    }

    /** An instance whose JVM (so its database sessions) runs in this zone. */
    private JdbcClaims instanceIn(String zone, long leaseMillis) {
        TimeZone.setDefault(TimeZone.getTimeZone(zone));
        return new JdbcClaims(dataSource, leaseMillis);
    }

    /** Runs the call with the JVM in this zone (the driver sends it as the session's zone). */
    private static <T> T in(String zone, Callable<T> call) throws Exception {
        TimeZone.setDefault(TimeZone.getTimeZone(zone));
        return call.call();
    }

    @Test
    void aLiveLeaseHeldInAZoneWestOfTheTakerIsNotTakenOver() throws Exception {
        JdbcClaims newYork = instanceIn("America/New_York", LONG_LEASE);
        JdbcClaims utc = instanceIn("UTC", LONG_LEASE);
        assertThat(in("America/New_York", () -> newYork.tryClaim("c1:b1", new Object()))).isTrue();
        // read in UTC a plain TIMESTAMP written in New York is five hours old: the live claim looked run out
        assertThat(in("UTC", () -> utc.tryTakeOverAbandoned("c1:b1", new Object()))).isFalse();
        assertThat(in("UTC", () -> utc.tryClaim("c1:b1", new Object()))).isFalse();
    }

    @Test
    void aRunOutLeaseHeldInAZoneEastOfTheTakerIsTakenOverWithoutWaitingForTheZoneDifference() throws Exception {
        JdbcClaims tokyo = instanceIn("Asia/Tokyo", 200);
        JdbcClaims utc = instanceIn("UTC", LONG_LEASE);
        assertThat(in("Asia/Tokyo", () -> tokyo.tryClaim("c1:b2", new Object()))).isTrue();
        // the holder died (it renews nothing): once its 200 ms lease ran out, not nine hours later
        await().atMost(Duration.ofSeconds(30))
                .until(() -> in("UTC", () -> utc.tryTakeOverAbandoned("c1:b2", new Object())));
    }

    @Test
    void aTableMadeByAnEarlierVersionGetsAnInstantLeaseColumn() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE EXTRACTA_CLAIMS (pair_key VARCHAR(300) PRIMARY KEY, owner VARCHAR(300) NOT NULL, "
                    + "lease_until TIMESTAMP NOT NULL)");
        }
        JdbcClaims claims = instanceIn("UTC", LONG_LEASE);
        assertThat(claims.tryClaim("c1:b3", new Object())).isTrue();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT data_type FROM information_schema.columns WHERE table_name = "
                     + "'extracta_claims' AND column_name = 'lease_until'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("timestamp with time zone");
        }
        JdbcClaims other = instanceIn("America/New_York", LONG_LEASE);
        assertThat(other.tryTakeOverAbandoned("c1:b3", new Object())).isFalse();
    }

    @Test
    void aClaimTakenAgainAfterItsReleaseFailedIsNotDeletedByTheNextRenewal() throws Exception {
        JdbcClaims a = instanceIn("UTC", 300);
        JdbcClaims b = instanceIn("UTC", LONG_LEASE);
        Object first = new Object();
        assertThat(a.tryClaim("c1:b4", first)).isTrue();
        int[] ports = dataSource.getPortNumbers();
        dataSource.setPortNumbers(new int[] {1}); // the database goes away
        assertThatThrownBy(() -> a.release("c1:b4", first)).isNotNull();
        dataSource.setPortNumbers(ports); // and comes back
        // a later request of the same instance claims the pair again (at once, or once the stale lease ran out)
        Object second = new Object();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.tryClaim("c1:b4", second) || a.tryTakeOverAbandoned("c1:b4", second));
        a.renew();
        assertThat(b.tryClaim("c1:b4", new Object())).as("another instance claims a pair whose request is live")
                .isFalse();
        a.release("c1:b4", second);
        assertThat(b.tryClaim("c1:b4", new Object())).isTrue();
    }

    @Test
    void theStopKeepsTheClaimsOfRequestsStillOnTheWireAndGivesBackTheOthers() throws Exception {
        JdbcClaims a = instanceIn("UTC", LONG_LEASE);
        JdbcClaims b = instanceIn("UTC", LONG_LEASE);
        Object onTheWire = new Object();
        Object waiting = new Object();
        assertThat(a.tryClaim("c1:b5", onTheWire)).isTrue();
        assertThat(a.tryClaim("c1:b6", waiting)).isTrue();
        a.releaseAll(owner -> owner == onTheWire);
        assertThat(b.tryClaim("c1:b5", new Object())).as("the cut request may still reach the API").isFalse();
        assertThat(b.tryTakeOverAbandoned("c1:b5", new Object())).isFalse();
        assertThat(b.tryClaim("c1:b6", new Object())).isTrue();
    }
}
