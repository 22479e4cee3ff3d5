package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// printedPage is what the decision basis's page shows, read in the
// browser before it is printed: the rows the PDF must hold in full.
type printedPage struct {
	Hashes  []string   `json:"hashes"`  // each record version's SHA-256
	History [][]string `json:"history"` // each history row's cells
}

// printedPageJS reads a printedPage from the decision basis.
const printedPageJS = `({
	hashes: [...document.querySelectorAll('table.hashes .hash')].map(e => e.textContent.trim()),
	history: [...document.querySelectorAll('table.history tbody tr')].map(tr => [...tr.cells].map(td => td.innerText.trim())),
})`

// checkPrinted reads the printed decision basis with pdftotext -layout
// (poppler-utils) and checks that it is complete: every page numbered
// "Sida N av M", the texts wanted, every record version's hash, every
// history row with each of its cells (so that no column is cut at the
// page's edge), and the signature block naming the decider and the
// approver.
func checkPrinted(t *testing.T, pdfPath string, page printedPage, want []string) {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext is not installed (Debian: apt-get install poppler-utils; .ci/run installs it): %v", err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", pdfPath, err)
	}
	text := string(out)
	pages := strings.Split(strings.TrimRight(text, "\f\n "), "\f")
	t.Logf("the printed decision basis has %d pages", len(pages))
	for i, p := range pages {
		if n := "Sida " + strconv.Itoa(i+1) + " av " + strconv.Itoa(len(pages)); !strings.Contains(p, n) {
			t.Errorf("page %d lacks %q", i+1, n)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the printed decision basis lacks %q", w)
		}
	}
	if len(page.Hashes) == 0 {
		t.Error("the decision basis shows no record version")
	}
	for _, h := range page.Hashes {
		if !strings.Contains(text, h) {
			t.Errorf("the printed decision basis lacks the record version hash %s", h)
		}
	}

	// The history: between its heading and the signatures, each row
	// begins a line with its revision; each cell's first word is on
	// that row's lines.
	_, hist, found := strings.Cut(text, "Larmets historik")
	hist, signatures, found2 := strings.Cut(hist, "Underskrifter")
	if !found || !found2 {
		t.Fatalf("the printed decision basis lacks the history or the signatures:\n%s", text)
	}
	rowStart := regexp.MustCompile(`^\s*(\d+)\s`)
	var rows [][]string // each row's lines
	for _, line := range strings.Split(hist, "\n") {
		if rowStart.MatchString(line) {
			rows = append(rows, nil)
		}
		if len(rows) > 0 {
			rows[len(rows)-1] = append(rows[len(rows)-1], line)
		}
	}
	if len(rows) != len(page.History) {
		t.Errorf("the printed history has %d rows, the page %d:\n%s", len(rows), len(page.History), hist)
	}
	for i := range min(len(rows), len(page.History)) {
		cells, printed := page.History[i], strings.Join(rows[i], "\n")
		if rev := rowStart.FindStringSubmatch(rows[i][0])[1]; len(cells) == 0 || rev != cells[0] {
			t.Errorf("printed history row %d is revision %s, the page's %v", i+1, rev, cells)
			continue
		}
		for c, cell := range cells {
			if f := strings.Fields(cell); len(f) > 0 && !strings.Contains(printed, f[0]) {
				t.Errorf("printed history row %d lacks column %d (%q):\n%s", i+1, c+1, cell, printed)
			}
		}
	}
	for _, who := range []string{"(samordnare)", "(godkannare)"} {
		if !strings.Contains(signatures, who) {
			t.Errorf("the signature block lacks %s:\n%s", who, signatures)
		}
	}
}
