/**
 * A local stand-in for the Extracta.ai API (the emulator) and the sandbox launcher, for development, tests and
 * benchmarks only: nothing in the application's routes, properties or beans refers to it.
 */
package dev.purge.extracta.sandbox;
