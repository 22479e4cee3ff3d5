package bulkfile

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress shows a download's bytes and an import's rows on a terminal. A
// nil *Progress is silent; NewProgress returns nil when the file is not a
// terminal, so logs and CI output never fill with bar redraws.
type Progress struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// NewProgress returns a Progress drawing on f (usually os.Stderr), or nil
// when f is not a terminal.
func NewProgress(f *os.File) *Progress {
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &Progress{w: f}
}

// newBar replaces the current bar with a new one of max bytes (-1 when
// unknown).
func (p *Progress) newBar(max int64, desc string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	w := p.w
	p.bar = progressbar.NewOptions64(max,
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

// StartDownload begins a bar for a download of total bytes (-1: unknown).
func (p *Progress) StartDownload(total int64) { p.newBar(total, "downloading") }

// StartImport begins a bar for importing an entry of total bytes.
func (p *Progress) StartImport(total int64) { p.newBar(total, "importing: 0 rows") }

// add advances the bar by n bytes.
func (p *Progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
	p.mu.Unlock()
}

// rows updates the import bar's row count.
func (p *Progress) rows(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("importing: %d rows", n))
	}
	p.mu.Unlock()
}

// Finish completes the current bar.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
	p.mu.Unlock()
}
