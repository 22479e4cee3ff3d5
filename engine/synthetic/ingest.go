package synthetic

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

// Ingest imports the manifest's files from dir, in order, through the
// importers, as `vaksam ingest` would.
func (m *Manifest) Ingest(ctx context.Context, in *ingest.Ingester, dir string, persons record.Pseudonymizer) (ingest.Counts, error) {
	var total ingest.Counts
	for _, step := range m.Steps {
		job := ingest.Job{Source: step.Source, Observed: step.Observed, Persons: persons}
		if step.Orgnr != "" {
			o, err := ident.ParseOrg(step.Orgnr)
			if err != nil {
				return total, fmt.Errorf("manifest: %s: %w", step.File, err)
			}
			job.Orgnr = o
		}
		c, err := in.File(ctx, filepath.Join(dir, step.File), job)
		total.Add(c)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
