/**
 * The embedded demo and end-to-end scenario: an embedded Kubernetes API, the real operator and sidecars as child
 * processes, a 4-rank ND4J training job with scripted faults ({@code training}), and the report a person reads
 * ({@code report}).
 */
package dev.landscape.demo;
