package dev.purge.extracta.ledger;

import java.util.function.Predicate;

/**
 * Who is sending a request for a pair right now: at most one request in this process, and, with a shared store, in
 * all instances. A claim is taken before a request is sent and given back when it ends; another request for the same
 * pair waits meanwhile. A claim is taken over only when its holder is known to be gone, never on a sender's word.
 */
interface Claims {

    /** Tries to take the pair's claim for {@code owner}; true when it holds it now. */
    boolean tryClaim(String pair, Object owner) throws Exception;

    /** Takes over a claim whose holder is known to be gone (its lease ran out); true when {@code owner} holds it. */
    boolean tryTakeOverAbandoned(String pair, Object owner) throws Exception;

    /** Gives the claim back, if {@code owner} holds it. */
    void release(String pair, Object owner) throws Exception;

    /** Whether every claim this process holds is certainly still its own (a shared store's lease is fresh). */
    boolean certain();

    /**
     * The application stops: every claim still held is given back, but for the requests {@code stillSending} names
     * (cut at the shutdown timeout with their body maybe on its way): a shared claim of theirs stays until its lease
     * runs out, so no other instance sends the pair while this request may still reach the API.
     */
    void releaseAll(Predicate<Object> stillSending);
}
