package service

import "github.com/vaksam/vaksam/engine/record"

// affects is what change-driven re-screening needs of a new record version
// (screening.Affected reads its subject and links). The Fetcher keeps it
// instead of the whole item until the import ends, so that a bulk import
// holds some hundred bytes per new version (its subject and link strings)
// rather than its raw row and parsed form as well.
func affects(it record.Item) record.Item {
	return record.Item{Source: it.Source, Subject: it.Subject, Key: it.Key, Links: it.Links}
}
