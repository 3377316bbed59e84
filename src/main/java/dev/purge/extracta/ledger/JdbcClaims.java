package dev.purge.extracta.ledger;

import dev.purge.extracta.run.Failures;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims shared by several instances in one PostgreSQL table, {@code EXTRACTA_CLAIMS(pair_key, owner, lease_until)}:
 * the primary key lets one instance hold a pair; the owner is this instance (host, pid and a random id per start);
 * the lease is renewed for all of its claims every third of {@code lease} and runs on the database's clock. Another
 * instance takes a claim over only once its lease has run out, that is, once its holder stopped renewing it (it died,
 * or lost the database): never while the holder lives. An instance that cannot renew its leases sends nothing more
 * ({@link #certain}) until it can. Within the instance, {@link LocalClaims} keeps two requests apart.
 */
final class JdbcClaims implements Claims {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcClaims.class);
    private static final String TABLE = "EXTRACTA_CLAIMS";

    private final DataSource dataSource;
    private final long leaseMillis;
    private final String owner;
    private final LocalClaims local = new LocalClaims();
    /** Claims whose release failed (the database away): deleted at the next renewal, never renewed meanwhile. */
    private final Set<String> toRelease = ConcurrentHashMap.newKeySet();
    private volatile long renewedAt = System.currentTimeMillis();
    private volatile boolean tableReady;

    JdbcClaims(DataSource dataSource, long leaseMillis) {
        this.dataSource = dataSource;
        this.leaseMillis = leaseMillis;
        this.owner = ownerName();
    }

    private static String ownerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "/" + UUID.randomUUID().toString()
                .substring(0, 8);
    }

    String owner() {
        return owner;
    }

    /** Renews this instance's leases every third of the lease, on the given scheduler. */
    void startRenewing(ScheduledExecutorService scheduler) {
        long every = Math.max(1, leaseMillis / 3);
        scheduler.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    void renew() {
        for (String pair : toRelease) {
            try {
                deleteToRelease(pair);
            } catch (SQLException | RuntimeException e) {
                break; // the database is still away: renewing fails too, below
            }
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + TABLE + " SET lease_until = " + leaseEnd()
                     + " WHERE owner = ?")) {
            s.setLong(1, leaseMillis);
            s.setString(2, owner);
            s.executeUpdate();
            renewedAt = System.currentTimeMillis();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not renew this instance's claims ({}): nothing more is sent until they are renewed",
                    Failures.oneLine(e));
        }
    }

    private static String leaseEnd() {
        return "CURRENT_TIMESTAMP + (? * INTERVAL '1 millisecond')";
    }

    private void ensureTable() throws SQLException {
        if (tableReady) {
            return;
        }
        synchronized (this) {
            if (tableReady) {
                return;
            }
            for (int attempt = 1; ; attempt++) {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    // TIMESTAMPTZ: a lease is an instant; a plain TIMESTAMP is read in each session's time zone, so
                    // instances in different zones would see a live lease as run out
                    s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (pair_key VARCHAR(300) PRIMARY KEY, "
                            + "owner VARCHAR(300) NOT NULL, lease_until TIMESTAMPTZ NOT NULL)");
                    migrateLeaseColumn(c);
                    tableReady = true;
                    return;
                } catch (SQLException e) {
                    if (attempt == 3) {
                        throw e; // several instances starting at once race to create it: tried again first
                    }
                }
            }
        }
    }

    /** A table made by an earlier version has a plain TIMESTAMP lease column: changed in place (leases are short). */
    private static void migrateLeaseColumn(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT data_type FROM information_schema.columns WHERE "
                + "table_name = lower(?) AND column_name = 'lease_until' AND table_schema = current_schema()")) {
            q.setString(1, TABLE);
            try (var r = q.executeQuery()) {
                if (!r.next() || !"timestamp without time zone".equals(r.getString(1))) {
                    return;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + TABLE + " ALTER COLUMN lease_until TYPE TIMESTAMPTZ");
            LOG.info("{}.lease_until changed from TIMESTAMP to TIMESTAMPTZ", TABLE);
        }
    }

    @Override
    public boolean tryClaim(String pair, Object requestOwner) throws SQLException {
        // the primary key admits one row a pair: of two instances inserting it, one wins
        return claimInTable(pair, requestOwner, "INSERT INTO " + TABLE + " (pair_key, owner, lease_until) VALUES (?, "
                + "?, " + leaseEnd() + ") ON CONFLICT (pair_key) DO NOTHING", pair, owner, leaseMillis);
    }

    @Override
    public boolean tryTakeOverAbandoned(String pair, Object requestOwner) throws SQLException {
        return claimInTable(pair, requestOwner, "UPDATE " + TABLE + " SET owner = ?, lease_until = " + leaseEnd()
                + " WHERE pair_key = ? AND lease_until < CURRENT_TIMESTAMP", owner, leaseMillis, pair);
    }

    /** Takes the claim in this process, then in the table with one statement that changes one row or none. */
    private boolean claimInTable(String pair, Object requestOwner, String sql, Object... parameters)
            throws SQLException {
        if (!local.tryClaim(pair, requestOwner)) {
            return false;
        }
        boolean taken = false;
        try {
            ensureTable();
            deleteToRelease(pair); // our own stale row would block the claim, or be deleted under it at renewal
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    s.setObject(i + 1, parameters[i]);
                }
                taken = s.executeUpdate() == 1;
            }
            return taken;
        } finally {
            if (!taken) {
                local.release(pair, requestOwner);
            }
        }
    }

    @Override
    public void release(String pair, Object requestOwner) throws SQLException {
        try {
            delete(pair);
        } catch (SQLException | RuntimeException e) {
            // renewed with the others it would never lapse while this instance lives: deleted as soon as it can be
            toRelease.add(pair);
            throw e;
        } finally {
            local.release(pair, requestOwner);
        }
    }

    /**
     * Deletes a claim whose release failed, if it is still to be released. Under the set's lock, so that a claim on
     * the same pair taken again by this instance meanwhile (then no longer in the set) is never deleted by renewal.
     */
    private void deleteToRelease(String pair) throws SQLException {
        synchronized (toRelease) {
            if (toRelease.contains(pair)) {
                delete(pair);
                toRelease.remove(pair);
            }
        }
    }

    private void delete(String pair) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM " + TABLE + " WHERE pair_key = ? AND owner = ?")) {
            s.setString(1, pair);
            s.setString(2, owner);
            s.executeUpdate();
        }
    }

    /** The leases were renewed within the last two thirds of a lease: no other instance can have taken one over. */
    @Override
    public boolean certain() {
        return System.currentTimeMillis() - renewedAt < leaseMillis * 2 / 3;
    }

    @Override
    public void releaseAll(Predicate<Object> stillSending) {
        List<String> kept = new ArrayList<>();
        local.held().forEach((pair, requestOwner) -> {
            if (stillSending.test(requestOwner)) {
                kept.add(pair);
            }
        });
        local.releaseAll(stillSending);
        if (!tableReady) {
            return;
        }
        if (!kept.isEmpty()) {
            LOG.warn("{} requests were still unanswered at the stop: their claims stay until their lease runs out, so "
                    + "no other instance sends those pairs while these requests may still reach the API", kept.size());
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM " + TABLE + " WHERE owner = ? AND NOT (pair_key "
                     + "= ANY (?))")) {
            s.setString(1, owner);
            s.setArray(2, c.createArrayOf("varchar", kept.toArray()));
            s.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not give back this instance's claims at stop ({}): other instances take them over when "
                    + "their lease runs out", Failures.oneLine(e));
        }
    }
}
