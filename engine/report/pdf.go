package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// PDFSuppliers is how many suppliers, the largest first, the PDF lists;
// the CSV and the JSON list them all.
const PDFSuppliers = 25

// A4 portrait, in millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	textW        = pageW - 2*margin
	lineH        = 6.0
)

type pdfDoc struct {
	*fpdf.Fpdf
}

// WritePDF writes the report as a PDF on A4 portrait: the municipality's
// name and the period on every page, page numbers, the tables within the
// page's width and the charts drawn.
func (r *Report) WritePDF(w io.Writer) error {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(r.Made)
	f.SetModificationDate(r.Made)
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.SetTitle("Rapport till nämnden "+r.period(), true)
	f.SetAuthor(r.Municipality, true)
	f.SetCreator("Vaksam", true)
	f.SetMargins(margin, margin+8, margin)
	f.SetAutoPageBreak(true, margin+5)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(func() {
		f.SetFont("go", "", 9)
		f.SetXY(margin, margin)
		f.CellFormat(textW/2, 5, r.Municipality, "", 0, "L", false, 0, "")
		f.CellFormat(textW/2, 5, "Rapport till nämnden "+r.period(), "", 1, "R", false, 0, "")
		f.SetY(margin + 8)
	})
	f.SetFooterFunc(func() {
		f.SetFont("go", "", 9)
		f.SetY(pageH - margin)
		f.CellFormat(textW, 5, fmt.Sprintf("Sida %d av {nb}", f.PageNo()), "", 0, "C", false, 0, "")
	})
	d := pdfDoc{f}
	f.AddPage()
	f.SetFont("go", "B", 16)
	f.MultiCell(textW, 8, "Inköp, avtalstrohet och arbetet mot välfärdsbrott", "", "L", false)
	f.SetFont("go", "", 11)
	intro := "Perioden " + r.period() + "."
	if r.Municipality != "" {
		intro = r.Municipality + ", perioden " + r.period() + "."
	}
	f.MultiCell(textW, lineH, intro, "", "L", false)
	f.Ln(3)

	d.heading("Inköp per inköpsområde")
	d.paragraph("Fakturerat belopp i kronor: inköp från kommunövergripande (k.ö.) avtal, från annat avtal (nämndens egna, Skånes kommuners, Adda) och utan avtal. Avtalstrohet = inköp på avtal / totalt.")
	cols := []col{{"Inköpsområde", 48, "L"}, {"K.ö. avtal", 26, "R"}, {"Annat avtal", 26, "R"}, {"Utan avtal", 26, "R"}, {"Totalt", 30, "R"}, {"Avtalstrohet", 24, "R"}}
	var rows [][]string
	for _, c := range r.Categories {
		rows = append(rows, spendRow(CategoryLabel(c.Category), c))
	}
	rows = append(rows, spendRow("Totalt", r.Total))
	d.table(cols, rows, true)
	charts := r.Charts(Words{})
	d.chart(charts[0])

	d.heading(fmt.Sprintf("Inköp per leverantör (de %d största)", min(PDFSuppliers, len(r.Suppliers))))
	cols[0].title = "Leverantör"
	rows = nil
	for i, s := range r.Suppliers {
		if i == PDFSuppliers {
			break
		}
		rows = append(rows, spendRow(s.Orgnr+" "+s.Supplier, s))
	}
	d.table(cols, rows, false)
	if len(r.Suppliers) > PDFSuppliers {
		d.paragraph(fmt.Sprintf("Alla %d leverantörer finns i rapportens CSV- och JSON-filer.", len(r.Suppliers)))
	}

	d.heading("Granskning")
	rows = [][]string{{"Granskade leverantörer", strconv.Itoa(r.Screened)}}
	for _, f := range r.Findings {
		rows = append(rows, []string{"Leverantörer med fynd " + f.Indicator, strconv.Itoa(f.Suppliers)})
	}
	d.table([]col{{"Mått", 120, "L"}, {"Antal", 60, "R"}}, rows, false)

	d.heading("Larm")
	rows = nil
	for _, c := range r.AlertsByStep {
		rows = append(rows, []string{"Öppnade på steg " + c.Key, strconv.Itoa(c.Count)})
	}
	for _, c := range r.AlertsByOutcome {
		rows = append(rows, []string{"Stängda med utfall " + Label(c.Key), strconv.Itoa(c.Count)})
	}
	d.table([]col{{"Larm", 120, "L"}, {"Antal", 60, "R"}}, rows, false)
	d.chart(charts[1])

	d.heading("Beslut")
	rows = nil
	for _, x := range r.Decisions {
		rows = append(rows, []string{Label(x.Kind), cmpOr(x.Ground, "–"), strconv.Itoa(x.Count)})
	}
	d.table([]col{{"Beslut", 60, "L"}, {"Rättslig grund", 90, "L"}, {"Antal", 30, "R"}}, rows, false)
	d.paragraph(fmt.Sprintf("Tid från larm till beslut: %d beslut, median %s dagar, 90:e percentilen %s dagar.",
		r.TimeToDecision.Count, Decimal(r.TimeToDecision.MedianDays, 1), Decimal(r.TimeToDecision.P90Days, 1)))

	d.heading("Kommunicering")
	d.paragraph(fmt.Sprintf("Fristen respekterad: %d. Fristen inte respekterad: %d.", r.HearingsKept, r.HearingsOverdue))
	rows = nil
	for _, h := range r.Hearings {
		rows = append(rows, []string{h.Orgnr, Label(h.Kind), date(h.InformedAt), date(h.Deadline), Label(h.Status), yesNo(h.Kept)})
	}
	d.table([]col{{"Leverantör", 30, "L"}, {"Beslut", 28, "L"}, {"Informerad", 24, "L"}, {"Svarsfrist", 24, "L"}, {"Status", 50, "L"}, {"Frist hållen", 24, "L"}}, rows, false)

	d.heading("Avropsstopp")
	d.paragraph(fmt.Sprintf("Avropsstopp i kraft vid periodens slut: %d, avtalsvärde %s kr.", len(r.Halts), Kronor(r.HaltedSEK)))
	rows = nil
	for _, h := range r.Halts {
		rows = append(rows, []string{h.Orgnr, d.fit(h.Name, 60), date(h.Since), Kronor(h.ContractSEK)})
	}
	d.table([]col{{"Leverantör", 30, "L"}, {"Namn", 64, "L"}, {"Sedan", 36, "L"}, {"Avtalsvärde (kr)", 50, "R"}}, rows, false)

	if err := f.Output(w); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	return nil
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func (r *Report) period() string {
	return date(r.From) + " – " + date(r.To)
}

func spendRow(label string, s Spend) []string {
	return []string{label, Kronor(s.CitySEK), Kronor(s.OtherSEK), Kronor(s.NoneSEK), Kronor(s.TotalSEK), Decimal(100*s.Loyalty, 1) + " %"}
}

// Kronor formats whole kronor with a space between thousands, as Swedish
// print does.
func Kronor(n int64) string {
	s := strconv.FormatInt(max(n, -n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteString("−")
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

type col struct {
	title string
	w     float64
	align string
}

func (d pdfDoc) heading(s string) {
	d.needs(lineH * 4)
	d.Ln(2)
	d.SetFont("go", "B", 13)
	d.CellFormat(textW, 8, s, "", 1, "L", false, 0, "")
}

func (d pdfDoc) paragraph(s string) {
	d.SetFont("go", "", 10)
	d.MultiCell(textW, 5, s, "", "L", false)
	d.Ln(1)
}

// needs starts a new page unless h millimetres are left on this one.
func (d pdfDoc) needs(h float64) {
	if d.GetY()+h > pageH-margin-5 {
		d.AddPage()
	}
}

// fit shortens s to w millimetres at the current font.
func (d pdfDoc) fit(s string, w float64) string {
	if d.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// table draws a table, repeating its header on a new page; last marks
// the last row as a sum.
func (d pdfDoc) table(cols []col, rows [][]string, last bool) {
	header := func() {
		d.SetFont("go", "B", 9)
		d.SetFillColor(230, 236, 242)
		for _, c := range cols {
			d.CellFormat(c.w, lineH, d.fit(c.title, c.w-2), "B", 0, c.align, true, 0, "")
		}
		d.Ln(-1)
	}
	d.needs(2 * lineH)
	header()
	for i, row := range rows {
		if d.GetY()+lineH > pageH-margin-5 {
			d.AddPage()
			header()
		}
		style := ""
		if last && i == len(rows)-1 {
			style = "B"
		}
		d.SetFont("go", style, 9)
		for j, c := range cols {
			d.CellFormat(c.w, lineH, d.fit(row[j], c.w-2), "", 0, c.align, false, 0, "")
		}
		d.Ln(-1)
	}
	if len(rows) == 0 {
		d.SetFont("go", "", 9)
		d.CellFormat(textW, lineH, "Inga under perioden.", "", 1, "L", false, 0, "")
	}
	d.Ln(2)
}

// chart draws a bar chart as the page's SVG draws it.
func (d pdfDoc) chart(c Chart) {
	const labelW, valueW, barH, gap = 55.0, 22.0, 5.0, 1.5
	d.needs(10 + float64(len(c.Bars))*(barH+gap))
	d.SetFont("go", "B", 10)
	d.CellFormat(textW, lineH, c.Title, "", 1, "L", false, 0, "")
	d.SetFont("go", "", 8)
	span := textW - labelW - valueW
	for _, b := range c.Bars {
		y := d.GetY()
		d.SetXY(margin, y)
		d.CellFormat(labelW-2, barH, d.fit(b.Label, labelW-3), "", 0, "R", false, 0, "")
		w := span * min(max(b.Value, 0)/c.max(), 1)
		d.SetFillColor(31, 95, 153)
		if w > 0 {
			d.Rect(margin+labelW, y+0.5, w, barH-1, "F")
		}
		d.SetXY(margin+labelW+w+1, y)
		d.CellFormat(valueW, barH, b.Text, "", 0, "L", false, 0, "")
		d.SetXY(margin, y+barH+gap)
	}
	d.Ln(2)
}
