/**
 * Talking to the API: the send gate (call slots, rate limit, 429 and outage pauses, halt), the answer classification,
 * the retry decision and its delays, the outage breaker and the credits probe.
 */
package dev.purge.extracta.call;
