package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// The report's figures for the year to date are exported from the store:
// spend by agreement, loyalty, the halt in force and the value of the
// contract it covers, screened suppliers; they are kept for ReportEvery
// and then computed again.
func TestReportFamilies(t *testing.T) {
	_, desk := fixture(t)
	now := day(17)
	m := New(Build{}, &State{Desk: desk, Now: func() time.Time { return now }})
	d := func(mo, dd int) time.Time { return time.Date(2026, time.Month(mo), dd, 0, 0, 0, 0, time.UTC) }
	at := d(11, 1)
	put := func(items ...record.Item) {
		t.Helper()
		var obs []store.Observation
		for _, it := range items {
			obs = append(obs, store.Observation{Observed: at, Item: it})
		}
		if _, err := desk.Store.Put(obs); err != nil {
			t.Fatal(err)
		}
	}
	invoice := func(id string, amount int64, contract string) record.Item {
		return record.Item{Source: record.Invoices, Subject: org, Key: id, Raw: []byte(id),
			Parsed: record.Invoice{ID: id, Orgnr: org, Date: d(3, 1), AmountSEK: amount, ContractID: contract, Category: "tolk"}}
	}
	put(record.Item{Source: record.Contracts, Subject: org, Key: "STAD-1", Raw: []byte("c"),
		Parsed: record.Contract{ID: "STAD-1", Orgnr: org, Category: "tolk", Owner: "stad", Start: d(1, 1), End: d(12, 31), EstimatedSEK: 500000}},
		invoice("F1", 60000, "STAD-1"), invoice("F2", 20000, ""),
		record.Item{Source: record.Invoices, Subject: org, Key: "F0", Raw: []byte("F0"), // last year: not counted
			Parsed: record.Invoice{ID: "F0", Orgnr: org, Date: d(1, 1).AddDate(0, 0, -1), AmountSEK: 999, Category: "tolk"}})

	want := func(t *testing.T, body string, lines ...string) {
		t.Helper()

		for _, l := range lines {
			if !strings.Contains(body, l+"\n") {
				t.Errorf("scrape lacks %q", l)
			}
		}
	}
	want(t, scrape(t, m),
		`vaksam_spend_sek{agreement="ko_avtal",category="tolk"} 60000`,
		`vaksam_spend_sek{agreement="annat_avtal",category="tolk"} 0`,
		`vaksam_spend_sek{agreement="utan_avtal",category="tolk"} 20000`,
		`vaksam_spend_sek{agreement="utan_avtal",category="totalt"} 20000`,
		`vaksam_contract_loyalty_ratio{category="tolk"} 0.75`,
		`vaksam_contract_loyalty_ratio{category="totalt"} 0.75`,
		`vaksam_calloffs_halted 1`,
		`vaksam_calloffs_halted_contract_value_sek 500000`,
		`vaksam_suppliers_screened 3`,
		`vaksam_p_findings_suppliers{indicator="P01"} 0`,
		`vaksam_hearings{time_limit="overdue"} 0`,
		`vaksam_time_to_decision_seconds{percentile="50"} 86400`,
		`vaksam_report_computed_timestamp_seconds 1.7949168e+09`)

	put(invoice("F3", 20000, ""))
	want(t, scrape(t, m), `vaksam_spend_sek{agreement="utan_avtal",category="tolk"} 20000`) // kept
	now = now.Add(ReportEvery)
	want(t, scrape(t, m), `vaksam_spend_sek{agreement="utan_avtal",category="tolk"} 40000`,
		`vaksam_contract_loyalty_ratio{category="tolk"} 0.6`)
}
