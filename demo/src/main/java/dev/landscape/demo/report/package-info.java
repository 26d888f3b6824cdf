/**
 * The report a person on call opens after the demo: one offline HTML page with the metric timelines per rank, the
 * restart/OOM/finding/fault markers on them, the operator's conditions, findings and Events, and the loss-landscape
 * images.
 *
 * <p>The model ({@link dev.landscape.demo.report.ReportModel} and its records) is plain data with no Kubernetes or
 * JSON types, so the scenario code fills it from whatever it observed and this package never learns where the
 * numbers came from. {@link dev.landscape.demo.report.HtmlReport} writes it: tables as static HTML (readable without
 * script), the data embedded once as JSON, and the charts drawn into SVG by a small inline script. The page loads
 * nothing from the network; its Content-Security-Policy only lets its own two inline scripts run and images load from
 * its own folder.
 */
package dev.landscape.demo.report;
