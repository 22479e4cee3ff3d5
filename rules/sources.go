package rules

// NeededBy maps each source a rule of the set needs (Rule.Needs) to the
// ids of those rules, in the set's order: the rules a missing or stale
// source leaves not checked. It is the "required by" column of the source
// registry (engine/record.Registry), read from the packs rather than typed
// twice.
func (s *Set) NeededBy() map[string][]string {
	out := map[string][]string{}
	for _, r := range s.Rules {
		for _, n := range r.Needs {
			out[n] = append(out[n], r.ID)
		}
	}
	return out
}
