package sanctions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

// The EU CSV 1.1 columns Vaksam reads; Entity_LogicalId is required.
const euCSVID = "Entity_LogicalId"

// ReadEUCSV reads the EU consolidated financial sanctions file as CSV 1.1
// (semicolon separated, a header row, one row per detail), grouping rows by
// Entity_LogicalId; file names it in errors and problems.
func ReadEUCSV(r io.Reader, file string) (Result, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Result{}, fmt.Errorf("%s:1: empty file, expected the EU CSV header", file)
		}
		return Result{}, fmt.Errorf("%s:1: header: %w", file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	if _, ok := col[euCSVID]; !ok {
		return Result{}, fmt.Errorf("%s:1: header: no column %s (is this the EU CSV 1.1 file, separated by semicolons?)", file, euCSVID)
	}
	type group struct {
		b     *builder
		where string
		regs  []euReg
	}
	groups := map[string]*group{}
	var order []string
	var res Result
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s:%d", file, line)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return res, fmt.Errorf("%s:%d: %v", file, pe.Line, pe.Err)
			}
			return res, fmt.Errorf("%s: %w", where, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := get(euCSVID)
		if id == "" {
			res.Problems = append(res.Problems, Problem{Where: where, Field: euCSVID, Reason: "missing"})
			continue
		}
		g := groups[id]
		if g == nil {
			kind := get("Entity_SubjectType_ClassificationCode")
			if kind == "" {
				kind = get("Entity_SubjectType")
			}
			g = &group{b: newBuilder(model.EU, id, euKind(kind)), where: where}
			groups[id] = g
			order = append(order, id)
		}
		b := g.b
		b.name(model.Name{Full: get("NameAlias_WholeName"), Given: get("NameAlias_FirstName"),
			Family: get("NameAlias_LastName"), Lang: strings.ToLower(get("NameAlias_NameLanguage"))})
		b.nationality(get("Citizenship_CountryIso2Code"))
		if d := get("BirthDate_BirthDate"); d != "" {
			b.birth(d)
		} else {
			b.birth(get("BirthDate_Year"))
		}
		b.identifier(model.Identifier{Type: euIDType(get("Identification_TypeCode")), Value: get("Identification_Number"),
			Country: country(get("Identification_CountryIso2Code"))})
		b.identifier(model.Identifier{Type: "eu-reference", Value: get("Entity_EU_ReferenceNumber")})
		if rm := get("Entity_Remark"); rm != "" && b.once("r:"+rm) {
			if b.e.Remarks != "" {
				b.e.Remarks += "\n"
			}
			b.e.Remarks += rm
		}
		if p := get("Entity_Regulation_Programme"); p != "" || get("Entity_Regulation_PublicationDate") != "" {
			reg := euReg{p, get("Entity_Regulation_PublicationDate")}
			if b.once(fmt.Sprintf("g:%q", reg)) {
				g.regs = append(g.regs, reg)
			}
		}
	}
	for _, id := range order {
		g := groups[id]
		res.add(g.b, g.where, g.regs)
	}
	return res, nil
}
