package synthetic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

type contract struct {
	id      string
	org     int
	orgnr   string
	name    string
	seq     int // k-th contract of its organisation
	cat     int
	owner   string
	start   time.Time
	end     time.Time
	est     int64
	places  int
	price   int64 // dygnspris
	monthly int64 // typical monthly invoice without a daily price
	addr    string
	key     uint64
	f       float64 // spend scale (P03 balancing)
	fixed   bool    // invoice exactly monthly each month

	// IVO permit held for it (permit categories).
	permitType   int
	permitPlaces int
	permitStatus string
	permitAddr   string
	permitDate   time.Time
	permitUnit   string
	permitKommun string
	malgrupp     string

	late      bool // C04: an invoice after the end
	lateDate  time.Time
	overMonth time.Time // C04: the month billed with more care days than places x days
	p04       bool
	outlier   int // C05: +1 above, -1 below
	p03       bool
	clean     bool
}

type extraInvoice struct {
	org    int
	orgnr  string
	name   string
	cat    int
	date   time.Time
	amount int64
	p0x    bool // planted P01/P02: category chosen later
}

const (
	kActive = iota
	kEndedRecent
	kEndedOld
)

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func lastOfMonth(t time.Time) time.Time { return firstOfMonth(t).AddDate(0, 1, -1) }

func roundTo(x float64, unit int64) int64 {
	return int64(math.Round(x/float64(unit))) * unit
}

var owners = []string{"egen", "egen", "skanes_kommuner", "skanes_kommuner", "adda", "stad"}

// newContract drafts the k-th contract of o. minMonths is the least
// number of months an active contract has been running.
func (g *gen) newContract(o *org, r *rand.Rand, cat, kind, k, minMonths int) *contract {
	t := g.today
	ci := &categories[cat]
	c := &contract{org: o.i, orgnr: o.orgnr, name: o.name, seq: k, cat: cat, f: 1,
		key: mix(g.seed^0x5EED, uint64(o.i)*16+uint64(k)), owner: owners[r.IntN(len(owners))]}
	earliest := firstOfMonth(o.reg.AddDate(0, 0, 35))
	if earliest.Before(o.reg) {
		earliest = earliest.AddDate(0, 1, 0)
	}
	term := []int{24, 36, 48}[r.IntN(3)]
	switch kind {
	case kEndedOld:
		c.end = lastOfMonth(monthsAgo(t, 15+r.IntN(15)))
		c.start = firstOfMonth(monthsAgo(c.end, 23+r.IntN(13)))
		if c.start.Before(earliest) {
			c.start = earliest
		}
		if !c.start.Before(c.end.AddDate(0, -6, 0)) {
			kind = kEndedRecent
		}
	}
	switch kind {
	case kActive:
		m := max(minMonths, 2) + r.IntN(38)
		c.start = firstOfMonth(monthsAgo(t, m))
		if c.start.Before(earliest) {
			c.start = earliest
		}
		for {
			c.end = c.start.AddDate(0, term, -1)
			if c.end.After(t.AddDate(0, 0, 45)) {
				break
			}
			term += 12
		}
	case kEndedRecent:
		c.end = lastOfMonth(monthsAgo(t, 3+r.IntN(6)))
		c.start = firstOfMonth(monthsAgo(c.end, 23+r.IntN(13)))
		if c.start.Before(earliest) {
			c.start = earliest
		}
	}
	days := int(c.end.Sub(c.start).Hours()/24) + 1
	months := (c.end.Year()-c.start.Year())*12 + int(c.end.Month()) - int(c.start.Month()) + 1
	if ci.daily > 0 {
		c.places = ci.minPl + r.IntN(ci.maxPl-ci.minPl+1)
		c.price = roundTo(float64(ci.daily)*(0.85+0.3*r.Float64()), 10)
		c.est = roundTo(float64(int64(c.places)*c.price*int64(days)), 1000)
	} else {
		c.monthly = roundTo(float64(ci.monthly)*(0.6+r.Float64()), 100)
		c.est = roundTo(float64(c.monthly)*float64(months)*(1.1+0.3*r.Float64()), 1000)
	}
	if ci.permit || cat == catOppenvard || cat == catArbetskoop {
		site := g.siteAddr(o.i, k)
		c.addr = site.oneLine()
		if ci.permit {
			c.permitType = cat
			c.permitPlaces = c.places + r.IntN(4)
			c.permitStatus = "giltigt"
			c.permitAddr = c.addr
			if r.IntN(3) == 0 {
				c.permitAddr = site.oneLineUpper()
			}
			c.permitDate = c.start.AddDate(0, 0, -(30 + r.IntN(300)))
			if c.permitDate.Before(o.reg) {
				c.permitDate = o.reg.AddDate(0, 0, 10)
			}
			c.permitUnit = pickS(r, unitNames) + " " + []string{"HVB", "HVB", "stödboende", "skyddat boende", "familjehemsverksamhet"}[cat]
			c.permitKommun = towns[site.town].kommunkod
			c.malgrupp = pickS(r, ci.malgrp)
		}
	} else {
		c.addr = o.cur().oneLine()
	}
	return c
}

// planContracts drafts every contract and the invoices outside contracts,
// then tunes prices and spend so that only the planted cases stand out.
func (g *gen) planContracts() error {
	t := g.today
	g.initMonths()
	for i := 0; i < g.n; i++ {
		sp, _ := g.spec(i)
		if sp == nil {
			has := g.bgHasContract(i)
			bus := g.busOf(i)
			noc := g.n >= 5000 && businesses[bus].cat >= catTolk && businesses[bus].cat <= catIT &&
				g.formOf(i, bus) != formE && g.u(i, saltNoContract) < 0.03
			if !has && !noc {
				continue
			}
			o := g.build(i)
			r := g.rngFor(i, saltContractRNG)
			if has {
				kind := kActive
				switch x := r.IntN(100); {
				case x < 10:
					kind = kEndedRecent
				case x < 15:
					kind = kEndedOld
				}
				cat := businesses[o.bus].cat
				g.contracts = append(g.contracts, g.newContract(o, r, cat, kind, 0, 2))
				if cat <= catSkyddat && r.IntN(10) == 0 {
					g.contracts = append(g.contracts, g.newContract(o, r, catOppenvard, kActive, 1, 2))
				}
			}
			if noc {
				for k := 0; k < 1+r.IntN(2); k++ {
					g.extraInv = append(g.extraInv, extraInvoice{org: i, orgnr: o.orgnr, name: o.name, cat: businesses[o.bus].cat,
						date: t.AddDate(0, 0, -(10 + r.IntN(690))), amount: int64(5000 + r.IntN(30)*1000)})
				}
			}
			continue
		}
		if sp.cat < 0 {
			continue
		}
		o := g.build(i)
		r := g.rngFor(i, saltContractRNG)
		minM := 2
		switch sp.ind {
		case "P03":
			minM = 20
		case "P04":
			minM = 10
		case "C04":
			minM = 6
		}
		if sp.tiny {
			minM = 20
		}
		kind := kActive
		if sp.ind == "C04" && sp.v%2 == 0 {
			kind = kEndedRecent
		}
		c := g.newContract(o, r, sp.cat, kind, 0, minM)
		c.clean = sp.kind == kClean
		switch sp.ind {
		case "C01":
			switch sp.v % 3 {
			case 0:
				c.permitStatus = "aterkallat"
			case 1:
				c.permitStatus = "upphort"
			default:
				c.permitType = catHVBVuxna
				c.malgrupp = categories[catHVBVuxna].malgrp[0]
			}
		case "C02":
			if sp.v%2 == 0 {
				c.places = max(c.places, 6)
				c.permitPlaces = c.places - 2
				c.est = max(c.est, c.price*int64(c.places)*int64(c.end.Sub(c.start).Hours()/24+1))
			} else {
				c.permitAddr = g.siteAddr(i, 15).oneLine()
			}
		case "C04":
			if sp.v%2 == 0 {
				c.end = lastOfMonth(monthsAgo(t, 5))
				c.start = firstOfMonth(monthsAgo(c.end, 24))
				c.late = true
				c.lateDate = c.end.AddDate(0, 0, 40)
				c.est = c.monthly * 40
			} else {
				c.overMonth = firstOfMonth(monthsAgo(t, 3))
			}
		case "C05":
			c.outlier = 1
			c.price = roundTo(float64(categories[sp.cat].daily)*2.6, 10)
			if !sp.high {
				c.outlier = -1
				c.price = roundTo(float64(categories[sp.cat].daily)*0.3, 10)
			}
			c.est = c.price * int64(c.places) * int64(c.end.Sub(c.start).Hours()/24+1)
		case "P01", "P02":
			amt := func() int64 { return int64(38_000 + r.IntN(15)*1000) }
			days := []int{25, 120, 215}
			if sp.ind == "P02" {
				amt = func() int64 { return int64(85_000 + r.IntN(15)*1000) }
				days = []int{40 + sp.v%10, 75 + sp.v%10}
			}
			for _, d := range days {
				g.extraInv = append(g.extraInv, extraInvoice{org: i, orgnr: o.orgnr, name: o.name, cat: -1, date: t.AddDate(0, 0, -d), amount: amt(), p0x: true})
			}
		case "P03":
			c.p03, c.fixed, c.monthly = true, true, 600_000
			c.est = c.monthly * 60
		case "P04":
			c.p04 = true
		}
		if sp.tiny {
			c.fixed, c.monthly = true, 20_000
			c.est = c.monthly * 60
		}
		if c.est < 1000 {
			c.est = 1000
		}
		g.contracts = append(g.contracts, c)
	}

	if err := g.topUp(); err != nil {
		return err
	}
	if err := g.fixPrices(); err != nil {
		return err
	}
	if err := g.balance(); err != nil {
		return err
	}
	// P04: the estimate is well below what gets invoiced.
	for _, c := range g.contracts {
		if c.p04 {
			var sum int64
			g.eachInvoice(c, func(_ time.Time, amt int64, _ int) { sum += amt })
			c.est = roundTo(float64(sum)*0.6, 1000)
		}
	}
	if err := g.verifySpend(); err != nil {
		return err
	}
	sort.SliceStable(g.contracts, func(a, b int) bool {
		if g.contracts[a].org != g.contracts[b].org {
			return g.contracts[a].org < g.contracts[b].org
		}
		return g.contracts[a].seq < g.contracts[b].seq
	})
	prefix := map[string]string{"egen": "MAL", "skanes_kommuner": "SKK", "adda": "ADDA", "stad": "STAD"}
	for k, c := range g.contracts {
		c.id = fmt.Sprintf("%s-%d-%05d", prefix[c.owner], c.start.Year(), 1001+k)
	}
	return nil
}

func isActive(c *contract, t time.Time) bool { return !c.start.After(t) && !c.end.Before(t) }

// eachInvoice calls fn for every invoice of contract c: one per complete
// month in the last 24 months, dated the last day of the month, never after
// the contract's end (except the planted late one).
func (g *gen) eachInvoice(c *contract, fn func(date time.Time, amount int64, dygn int)) {
	ci := &categories[c.cat]
	for k := range g.months {
		m := &g.months[k]
		if m.end.Before(c.start) {
			continue
		}
		if m.end.After(c.end) {
			break
		}
		u := float64(mix(c.key, m.idx)>>11) / (1 << 53)
		if ci.daily > 0 {
			cap := c.places * m.days
			dygn := int(float64(cap) * (0.62 + 0.28*u) * c.f)
			dygn = max(dygn, 1)
			if !c.overMonth.IsZero() && m.first.Equal(c.overMonth) {
				dygn = cap + 3 + int(c.key%5)
			}
			fn(m.end, int64(dygn)*c.price, dygn)
			continue
		}
		amt := c.monthly
		if !c.fixed {
			amt = roundTo(float64(c.monthly)*(0.96+0.08*u)*c.f, 1)
		}
		fn(m.end, max(amt, 100), 0)
	}
	if c.late {
		fn(c.lateDate, c.monthly, 0)
	}
}

// month is one invoicing month: the complete months of the last 24.
type month struct {
	first, end time.Time
	days       int
	idx        uint64
}

func (g *gen) initMonths() {
	t := g.today
	for m := firstOfMonth(monthsAgo(t, 24)); ; m = m.AddDate(0, 1, 0) {
		me := lastOfMonth(m)
		if !me.Before(t) {
			break
		}
		g.months = append(g.months, month{first: m, end: me, days: me.Day(), idx: uint64(m.Year()*12 + int(m.Month()))})
	}
}

// cleanSpecs lists the clean organisations (not the tiny ovrigt ones).
func (g *gen) cleanOrgs() []int {
	var l []int
	for j, s := range g.specs {
		if s.kind == kClean && !s.tiny {
			l = append(l, g.specIx[j])
		}
	}
	return l
}

// addClean gives a clean organisation without a contract in cat one more,
// running for at least 14 months.
func (g *gen) addClean(cat int) error {
	have := map[int]int{}
	for _, c := range g.contracts {
		if c.clean {
			if c.cat == cat {
				have[c.org] = -1
			} else if have[c.org] >= 0 {
				have[c.org]++
			}
		}
	}
	care := categories[cat].care || cat == catArbetskoop
	best, bestN := -1, 1<<30
	for _, i := range g.cleanOrgs() {
		if have[i] < 0 {
			continue
		}
		sp, _ := g.spec(i)
		bc := businesses[sp.bus].cat
		if care && (bc < 0 || bc > catArbetskoop) {
			continue
		}
		if have[i] < bestN {
			best, bestN = i, have[i]
		}
	}
	if best < 0 {
		return fmt.Errorf("synthetic: no clean organisation left to add a %s contract to", categories[cat].key)
	}
	o := g.build(best)
	n := 0
	for _, c := range g.contracts {
		if c.org == best {
			n++
		}
	}
	r := g.rngFor(best*16+n, saltContractRNG+7)
	c := g.newContract(o, r, cat, kActive, n, 14)
	c.clean = true
	g.contracts = append(g.contracts, c)
	return nil
}

// topUp makes sure that every price-outlier category has enough ordinary
// contracts and that no category has exactly three suppliers (where one of
// them always holds more than 30 %).
func (g *gen) topUp() error {
	var out [numCats]int
	for _, c := range g.contracts {
		if c.outlier != 0 {
			out[c.cat]++
		}
	}
	for cat := range numCats {
		if out[cat] == 0 {
			continue
		}
		for {
			normal := 0
			for _, c := range g.contracts {
				if c.cat == cat && c.outlier == 0 && isActive(c, g.today) {
					normal++
				}
			}
			if normal >= max(10, 8*out[cat]) {
				break
			}
			if err := g.addClean(cat); err != nil {
				return err
			}
		}
	}
	// The planted P01/P02 invoices go to the category with most suppliers.
	sup := g.suppliers(g.today.AddDate(-1, 0, 3))
	g.bigCat = catIT
	for cat := range numCats {
		if cat != catOvrigt && len(sup[cat]) > len(sup[g.bigCat]) {
			g.bigCat = cat
		}
	}
	for k := range g.extraInv {
		if g.extraInv[k].p0x {
			g.extraInv[k].cat = g.bigCat
		}
	}
	for iter := 0; iter < 100; iter++ {
		fixed := true
		for _, w := range g.windows() {
			sup := g.suppliers(w)
			for cat := range numCats {
				if cat != catOvrigt && len(sup[cat]) == 3 {
					if err := g.addClean(cat); err != nil {
						return err
					}
					fixed = false
				}
			}
		}
		if fixed {
			return nil
		}
	}
	return fmt.Errorf("synthetic: could not settle supplier counts")
}

// windows are the two readings of "the last 12 months" the spend checks
// must both satisfy.
func (g *gen) windows() []time.Time {
	return []time.Time{g.today.AddDate(-1, 0, -3), g.today.AddDate(-1, 0, 3)}
}

// suppliers maps category -> supplier -> spend invoiced after w.
func (g *gen) suppliers(w time.Time) [numCats]map[int]int64 {
	var s [numCats]map[int]int64
	for k := range s {
		s[k] = map[int]int64{}
	}
	for _, c := range g.contracts {
		g.eachInvoice(c, func(d time.Time, amt int64, _ int) {
			if d.After(w) && !d.After(g.today) {
				s[c.cat][c.org] += amt
			}
		})
	}
	for _, e := range g.extraInv {
		if e.cat >= 0 && e.date.After(w) && !e.date.After(g.today) {
			s[e.cat][e.org] += e.amount
		}
	}
	return s
}

// quartileFences returns, over several common quartile definitions, the
// tightest lower and upper fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR) and the
// loosest ones.
func quartileFences(v []float64) (loMax, hiMin, loMin, hiMax float64) {
	n := len(v)
	at := func(h float64) float64 {
		h = max(0, min(float64(n-1), h))
		lo := math.Floor(h)
		hi := math.Ceil(h)
		return v[int(lo)] + (h-lo)*(v[int(hi)]-v[int(lo)])
	}
	median := func(s []float64) float64 {
		m := len(s)
		if m%2 == 1 {
			return s[m/2]
		}
		return (s[m/2-1] + s[m/2]) / 2
	}
	type q struct{ q1, q3 float64 }
	var qs []q
	qs = append(qs, q{at(0.25 * float64(n-1)), at(0.75 * float64(n-1))}) // R-7, linear
	qs = append(qs, q{at(0.25*float64(n+1) - 1), at(0.75*float64(n+1) - 1)})
	qs = append(qs, q{at(0.25*float64(n) - 0.5), at(0.75*float64(n) - 0.5)})
	qs = append(qs, q{v[max(0, int(math.Ceil(0.25*float64(n)))-1)], v[max(0, int(math.Ceil(0.75*float64(n)))-1)]})
	qs = append(qs, q{median(v[:n/2]), median(v[(n+1)/2:])})
	qs = append(qs, q{median(v[:(n+1)/2]), median(v[n/2:])})
	loMax, hiMin = math.Inf(-1), math.Inf(1)
	loMin, hiMax = math.Inf(1), math.Inf(-1)
	for _, x := range qs {
		iqr := x.q3 - x.q1
		lo, hi := x.q1-1.5*iqr, x.q3+1.5*iqr
		loMax, hiMin = max(loMax, lo), min(hiMin, hi)
		loMin, hiMax = min(loMin, lo), max(hiMax, hi)
	}
	return
}

// fixPrices keeps every ordinary active daily price inside the outlier
// fences of its category under every quartile definition, and every planted
// outlier outside them.
func (g *gen) fixPrices() error {
	for cat := range numCats {
		if categories[cat].daily == 0 {
			continue
		}
		var act []*contract
		for _, c := range g.contracts {
			if c.cat == cat && isActive(c, g.today) && c.price > 0 {
				act = append(act, c)
			}
		}
		if len(act) < 4 {
			for _, c := range act {
				if c.outlier != 0 {
					return fmt.Errorf("synthetic: outlier in %s with only %d active contracts", categories[cat].key, len(act))
				}
			}
			continue
		}
		ok := false
		for iter := 0; iter < 200 && !ok; iter++ {
			v := make([]float64, len(act))
			for k, c := range act {
				v[k] = float64(c.price)
			}
			sort.Float64s(v)
			loMax, hiMin, loMin, hiMax := quartileFences(v)
			med := v[len(v)/2]
			ok = true
			for _, c := range act {
				p := float64(c.price)
				switch {
				case c.outlier > 0 && p <= hiMax+10:
					c.price = roundTo(p*1.3, 10)
					ok = false
				case c.outlier < 0 && p >= loMin-10:
					c.price = roundTo(p*0.75, 10)
					ok = false
				case c.outlier == 0 && (p > hiMin-0.5 || p < loMax+0.5) && p != med:
					c.price = roundTo(med, 10)
					ok = false
				}
			}
		}
		if !ok {
			return fmt.Errorf("synthetic: could not settle prices in %s", categories[cat].key)
		}
		for _, c := range act {
			if c.outlier != 0 {
				c.est = c.price * int64(c.places) * int64(c.end.Sub(c.start).Hours()/24+1)
			} else if want := c.price * int64(c.places) * int64(c.end.Sub(c.start).Hours()/24+1); c.est < want {
				c.est = want
			}
		}
	}
	return nil
}

// balance scales spend down so that no ordinary supplier holds more than
// 25 % of a category's spend in a category with three or more suppliers.
func (g *gen) balance() error {
	for iter := 0; iter < 400; iter++ {
		changed := false
		for _, w := range g.windows() {
			sup := g.suppliers(w)
			for cat := range numCats {
				if cat == catOvrigt || len(sup[cat]) < 3 {
					continue
				}
				var total int64
				for _, s := range sup[cat] {
					total += s
				}
				worst, ws := -1, int64(0)
				for org, s := range sup[cat] {
					if s > ws || (s == ws && org < worst) {
						worst, ws = org, s
					}
				}
				if float64(ws) <= 0.25*float64(total) {
					continue
				}
				target := 0.2 * float64(total-ws) / 0.8
				factor := target / float64(ws)
				scaled := false
				for _, c := range g.contracts {
					if c.org == worst && c.cat == cat && !c.fixed {
						c.f *= factor
						scaled = true
					}
				}
				if !scaled {
					return fmt.Errorf("synthetic: supplier concentration in %s cannot be balanced", categories[cat].key)
				}
				changed = true
			}
		}
		if !changed {
			return nil
		}
	}
	return fmt.Errorf("synthetic: spend balancing did not converge")
}

// verifySpend checks the P03 design in both readings of "12 months".
func (g *gen) verifySpend() error {
	for _, w := range g.windows() {
		sup := g.suppliers(w)
		p03 := map[int]bool{}
		for _, c := range g.contracts {
			if c.p03 {
				p03[c.org] = true
			}
		}
		for cat := range numCats {
			if len(sup[cat]) < 3 {
				continue
			}
			var total int64
			for _, s := range sup[cat] {
				total += s
			}
			for org, s := range sup[cat] {
				share := float64(s) / float64(total)
				if p03[org] && share < 0.305 {
					return fmt.Errorf("synthetic: P03 case holds only %.3f of %s", share, categories[cat].key)
				}
				if !p03[org] && share > 0.28 {
					return fmt.Errorf("synthetic: ordinary supplier holds %.3f of %s", share, categories[cat].key)
				}
			}
		}
	}
	return nil
}
