package service

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
)

// ReverifyAssessments is restore's check of the stored assessments: it
// screens every stored assessment of the subjects again with the Screener
// open returns (Screener.ReverifyStored, as `vaksam assessments --verify`
// does) and writes to w each that differs, with what screening again
// gives, then a summary of the outcomes, the organisation numbers shown
// as of now. ok is false when any differs or the check cannot be made.
// The caller closes the Screener's store.
func ReverifyAssessments(ctx context.Context, subjects []string, open func() (*screening.Screener, error), now func() time.Time, w io.Writer) (ok bool) {
	if len(subjects) == 0 {
		fmt.Fprintln(w, "assessments: none stored")
		return true
	}
	n := map[screening.Outcome]int{}
	sc, err := open()
	if err == nil {
		n, err = sc.ReverifyStored(ctx, subjects, func(o ident.Org, x *screening.Assessment, r screening.Reverification) {
			if r.Outcome == screening.Differs {
				fmt.Fprintln(w, "  "+screening.Line(o, x, now()))
				fmt.Fprintln(w, "  "+r.Line)
			}
		})
	}
	fmt.Fprintf(w, "assessments: %d organisation(s): %d verified by screening again, %d differ, %d stored with another rule set (not verified)\n",
		len(subjects), n[screening.Verified], n[screening.Differs], n[screening.NotVerified])
	if err != nil {
		fmt.Fprintf(w, "assessments: FAILED: %v\n", err)
		return false
	}
	return n[screening.Differs] == 0
}
