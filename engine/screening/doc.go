// Package screening screens organisations: it builds each one's profile as of
// a time, evaluates the rule set on it, decides what data is missing or
// stale (D01, D02), scores the hits, places the result on the action ladder
// (L0–L5) and gives the pre-award verdict (clear, review, block), exactly as
// shared/INDICATORS.md says, with every threshold in Config.
//
// An Assessment records the rule-set version and every record version it
// rested on, so a past screening can be shown again and computed again.
// The time is always passed in. Reverify screens a stored assessment
// again and compares.
//
// The text forms of assessments (WriteAssessment, WriteRanking, Line,
// WriteSourceReports) are what the command line prints, in Swedish time.
package screening
