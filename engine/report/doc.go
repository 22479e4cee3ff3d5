// Package report computes the committee's report (issue 17, point 4) for
// a period from the store: purchasing per category and supplier with
// contract loyalty (avtalstrohet) in the terms of the committee's
// purchasing plan, the P-indicator findings, the suppliers screened, the
// alerts by step and outcome, the decisions by kind and legal ground, the
// hearings and their time limits, the call-offs halted and the contract
// value they cover, and the time from alert to decision. It writes the
// report as JSON, as CSV for the committee's own tools, and as a PDF on
// A4 with charts; the same charts render as SVG for the web page.
package report
