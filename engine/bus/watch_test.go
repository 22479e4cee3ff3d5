package bus

import "testing"

// The filter watch --replay gives each stream's consumer is the subjects
// both the stream and the watched subject match.
func TestWatchReplayFilter(t *testing.T) {
	for _, tc := range []struct{ subject, stream, want string }{
		{"vaksam.>", "vaksam.alert.>", "vaksam.alert.>"},
		{">", "vaksam.alert.>", "vaksam.alert.>"},
		{"vaksam.alert.>", "vaksam.alert.>", "vaksam.alert.>"},
		{"vaksam.action.halt.*", "vaksam.action.>", "vaksam.action.halt.*"},
		{"vaksam.alert.opened.5591234561", "vaksam.alert.>", "vaksam.alert.opened.5591234561"},
		{"vaksam.*.*.5591234561", "vaksam.alert.>", "vaksam.alert.*.5591234561"},
		{"*.*.opened.>", "vaksam.alert.>", "vaksam.alert.opened.>"},
		{"vaksam.action.>", "vaksam.alert.>", ""},
		{"vaksam.alert", "vaksam.alert.>", ""},
		{"vaksam.*", "vaksam.alert.>", ""},
		{"vaksam.screen", "vaksam.alert.>", ""},
	} {
		got, ok := intersect(tc.subject, tc.stream)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("intersect(%q, %q) = %q, %v; want %q", tc.subject, tc.stream, got, ok, tc.want)
		}
		if got2, _ := intersect(tc.stream, tc.subject); got2 != got {
			t.Errorf("intersect(%q, %q) = %q, but the other way %q", tc.stream, tc.subject, got2, got)
		}
	}
}
