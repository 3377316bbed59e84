/**
 * The work in hand, shared by every stage: a run (a file, a queue message or a direct call) with its pinned file and
 * progress journal, each row's {@link dev.purge.extracta.run.RowContext} (the one typed owner of a row's state),
 * the outcome taxonomy, and the reasons a row or a run stops. Knows nothing of routes, the API or the stores.
 */
package dev.purge.extracta.run;
