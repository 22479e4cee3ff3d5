package workplace

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/store"
)

// EvidenceHashes returns, for each record version refs names, the
// SHA-256 (in hex) of its content as the store holds it: the JSON of the
// version's typed form, whose first 128 bits are the store's hash of the
// version (so a printed basis can be checked against the store, and
// against a backup). A version the store no longer holds (pruned) has
// "". Hashes name no person, so reading them is not a view of personal
// data.
func (w *Workplace) EvidenceHashes(refs []profile.Ref) ([]string, error) {
	type version struct {
		source, key string
		n           uint32
	}
	subjects := map[string]map[version]string{}
	out := make([]string, len(refs))
	for i, ref := range refs {
		subject, key, _ := strings.Cut(ref.Key, "/")
		hashes, read := subjects[subject]
		if !read {
			recs, err := w.Store.Subject(subject, store.ScanOptions{At: Everything, History: AllSources()})
			if err != nil {
				return nil, fmt.Errorf("workplace: records of %s: %w", subject, err)
			}
			hashes = map[version]string{}
			for _, rec := range recs {
				for _, v := range rec.History {
					sum := sha256.Sum256(v.Parsed)
					hashes[version{rec.ID.Source, rec.ID.Key, v.N}] = hex.EncodeToString(sum[:])
				}
			}
			subjects[subject] = hashes
		}
		out[i] = hashes[version{ref.Source, key, ref.Version}]
	}
	return out, nil
}
