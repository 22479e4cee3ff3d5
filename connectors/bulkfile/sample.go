package bulkfile

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/vaksam/vaksam/engine/ident"
)

// bulkHeader is the header of the real file (shared/formats sample), with
// the BOM the real file may carry.
const bulkHeader = "\uFEFForganisationsidentitet;namnskyddslopnummer;registreringsland;organisationsnamn;organisationsform;avregistreringsdatum;avregistreringsorsak;pagandeAvvecklingsEllerOmstruktureringsforfarande;registreringsdatum;verksamhetsbeskrivning;postadress"

// badEvery: every badEvery-th row of a sample carries a broken check
// digit and is quarantined.
const badEvery = 10_000

// SampleRecords is how many of a sample file's n rows are records; the
// others (one in 10 000) are quarantined.
func SampleRecords(n int) int { return n - n/badEvery }

// orgnr returns a valid organisation number for row i: "55", then
// 2000000+i (digits 3–4 are 20 or 21), then the Luhn digit.
func orgnr(i int) string {
	d9 := fmt.Sprintf("55%07d", 2_000_000+i)
	return d9 + string(ident.LuhnDigit(d9))
}

// writeBulk writes a bulk file of n data rows in the real format.
func writeBulk(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, bulkHeader+"\n")
	forms := []string{"AB", "HB", "EF", "BRF"}
	for i := 0; i < n; i++ {
		org := orgnr(i)
		if i%badEvery == badEvery-1 {
			last := org[9] - '0'
			org = org[:9] + string(rune('0'+(last+1)%10))
		}
		proc := ""
		if i%97 == 0 {
			proc = fmt.Sprintf("|KK-AVOMFO$2025-%02d-03", 1+i%12)
		} else if i%89 == 0 {
			proc = "|LI-AVSLAVOMFO$2021-02-01"
		}
		dereg, reason := "", ""
		if i%53 == 0 {
			dereg, reason = "2022-06-30", "VERKUPP-AVORG"
		}
		reg := fmt.Sprintf("%04d-%02d-%02d", 1990+i%35, 1+i%12, 1+i%28)
		fmt.Fprintf(bw, "\"%s$ORGNR-IDORG\";\"1\";\"SE-LAND\";\"Omsorg %d AB$FORETAGSNAMN-ORGNAM$%s\";\"%s-ORGFO\";\"%s\";\"%s\";\"%s\";\"%s\";\"Bedriva verksamhet nr %d\";\"Storgatan %d$$UMEÅ$9%04d$SE-LAND\"\n",
			org, i, reg, forms[i%len(forms)], dereg, reason, proc, reg, i, 1+i%200, i%10000)
	}
	return bw.Flush()
}

// WriteSampleZip writes to path a zip holding a synthetic bulk file of n
// rows in the real format (streamed, never whole in memory), for tests and
// benchmarks (vaksam bench) of the import.
func WriteSampleZip(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bulkfile: sample: %w", err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.Create("bolagsverket-bulkfil.txt")
	if err != nil {
		return fmt.Errorf("bulkfile: sample: %w", err)
	}
	if err := writeBulk(w, n); err != nil {
		return fmt.Errorf("bulkfile: sample: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("bulkfile: sample: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bulkfile: sample: %w", err)
	}
	return nil
}
