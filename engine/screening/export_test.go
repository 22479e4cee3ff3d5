package screening

// ScanNetwork makes s build the network of a whole-store screening from a
// first scan even where the store's indexes answer.
func ScanNetwork(s *Screener) { s.scanNetwork = true }

// SaveAll stores assessments as a whole-store screening does (in
// batches, by the batch saver), for the benchmarks of saving.
func (s *Screener) SaveAll(as []*Assessment) error {
	b := s.newBatchSaver()
	for _, a := range as {
		if err := b.add(a); err != nil {
			b.close()
			return err
		}
	}
	return b.close()
}
