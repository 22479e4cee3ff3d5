package main

import (
	"fmt"
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
// (poppler-utils) and fails the test with every problem printedProblems
// finds in its text.
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
	t.Logf("the printed decision basis has %d pages", len(printedPages(string(out))))
	for _, p := range printedProblems(string(out), page, want) {
		t.Error(p)
	}
}

// printedPages are the pages of pdftotext's text (form feeds between).
func printedPages(text string) []string {
	return strings.Split(strings.TrimRight(text, "\f\n "), "\f")
}

// printedProblems is what is missing from the printed decision basis's
// text (pdftotext -layout) that the page showed: "Sida N av M" on every
// page, the texts wanted, every record version's hash, every history row
// with each of its cells' first word on the row's lines (so that no
// column was cut at the page's edge), and the signature block naming the
// decider and the approver.
func printedProblems(text string, page printedPage, want []string) []string {
	var ps []string
	add := func(format string, a ...any) { ps = append(ps, fmt.Sprintf(format, a...)) }
	pages := printedPages(text)
	for i, p := range pages {
		if n := "Sida " + strconv.Itoa(i+1) + " av " + strconv.Itoa(len(pages)); !strings.Contains(p, n) {
			add("page %d lacks %q", i+1, n)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			add("the printed decision basis lacks %q", w)
		}
	}
	if len(page.Hashes) == 0 {
		add("the decision basis shows no record version")
	}
	for _, h := range page.Hashes {
		if !strings.Contains(text, h) {
			add("the printed decision basis lacks the record version hash %s", h)
		}
	}

	// The history: between its heading and the signatures, each row
	// begins a line with its revision; each cell's first word is on
	// that row's lines.
	_, hist, found := strings.Cut(text, "Larmets historik")
	hist, signatures, found2 := strings.Cut(hist, "Underskrifter")
	if !found || !found2 {
		add("the printed decision basis lacks the history or the signatures:\n%s", text)
		return ps
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
		add("the printed history has %d rows, the page %d:\n%s", len(rows), len(page.History), hist)
	}
	for i := range min(len(rows), len(page.History)) {
		cells, printed := page.History[i], strings.Join(rows[i], "\n")
		if rev := rowStart.FindStringSubmatch(rows[i][0])[1]; len(cells) == 0 || rev != cells[0] {
			add("printed history row %d is revision %s, the page's %v", i+1, rev, cells)
			continue
		}
		for c, cell := range cells {
			if f := strings.Fields(cell); len(f) > 0 && !strings.Contains(printed, f[0]) {
				add("printed history row %d lacks column %d (%q):\n%s", i+1, c+1, cell, printed)
			}
		}
	}
	for _, who := range []string{"(samordnare)", "(godkannare)"} {
		if !strings.Contains(signatures, who) {
			add("the signature block lacks %s:\n%s", who, signatures)
		}
	}
	return ps
}
