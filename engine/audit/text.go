package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/record"
)

// The text forms of the trail, as `vaksam audit verify` and `audit list`
// print them. Times are Swedish.

// String is the report of a verification: the number of entries, the
// head and whether the trail is intact, then each problem on a line of
// its own.
func (r Report) String() string {
	if r.Intact() {
		return fmt.Sprintf("audit trail: %d entries, head %s: intact\n", r.Entries, r.Head)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "audit trail: %d entries, head %s: %d problem(s)\n", r.Entries, r.Head, len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}

// Line is an entry on one line: sequence number, time, actor, action,
// object, details (key=value in key order, quoted where needed) and the
// start of its hash.
func (e Entry) Line() string {
	object := e.Object
	if object == "" {
		object = "-"
	}
	line := fmt.Sprintf("%6d  %s  %-12s %-17s %s", e.Seq, e.At.In(record.Stockholm).Format("2006-01-02 15:04:05"), e.Actor, e.Action, object)
	if d := details(e.Detail); d != "" {
		line += "  " + d
	}
	return line + "  " + e.Hash[:min(12, len(e.Hash))]
}

// details writes an entry's details as key=value in key order, quoting
// values that need it.
func details(d map[string]string) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := d[k]
		if v == "" || strings.ContainsAny(v, " \t\n\"=") {
			v = strconv.Quote(v)
		}
		b.WriteString(k + "=" + v)
	}
	return b.String()
}
