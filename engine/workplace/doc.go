// Package workplace is the coordinators' workplace as questions to the
// review desk: which alerts a query lets through, in what order and on
// which page, with the counts a queue shows beside them; an alert with
// its decisions, comments and current assessment (Case); a supplier
// (Supplier); and its raw records with their bytes in the form they are
// shown (RawRecords). It is built once here and rendered by both the
// JSON API and the HTML UI (engine/web), so that the two cannot drift;
// what a principal may see or search by stays with the web (a query
// carries the search as a function).
package workplace
