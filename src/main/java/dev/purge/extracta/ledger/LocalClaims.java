package dev.purge.extracta.ledger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Claims held in memory, for one instance on its own data folder (the folder lock keeps any other process out): a
 * claim never outlives the process, so none is ever left behind by a crash. What a crash leaves is in the ledger's
 * "maybe deleted" marks instead.
 */
final class LocalClaims implements Claims {

    private final Map<String, Object> held = new ConcurrentHashMap<>();

    @Override
    public boolean tryClaim(String pair, Object owner) {
        Object holder = held.putIfAbsent(pair, owner);
        return holder == null || holder == owner;
    }

    @Override
    public boolean tryTakeOverAbandoned(String pair, Object owner) {
        return false; // the holder is a request of this very process: it is alive, and gives it back when it ends
    }

    @Override
    public void release(String pair, Object owner) {
        held.remove(pair, owner);
    }

    /** The pairs held now, and by whom. */
    Map<String, Object> held() {
        return Map.copyOf(held);
    }

    @Override
    public boolean certain() {
        return true;
    }

    @Override
    public void releaseAll(Predicate<Object> stillSending) {
        held.clear(); // only this process could see them, and it stops
    }
}
