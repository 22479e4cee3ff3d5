package screening

// ScanNetwork makes s build the network of a whole-store screening from a
// first scan even where the store's indexes answer.
func ScanNetwork(s *Screener) { s.scanNetwork = true }
