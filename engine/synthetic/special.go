package synthetic

import (
	"fmt"
	"math/rand/v2"
	"time"
)

type ban struct {
	p        person
	from, to time.Time
	typ      string
	by       string
}

// predReg and predDates place the bankrupt predecessors of S13 group
// sp.grp: v 0 went bankrupt 26-47 months ago, v 1 13-20 months ago; in every
// third group (from the second) v 1 is instead deregistered after a
// concluded bankruptcy (KKAV) 38 months ago, and in every third group from
// the third (modifierGroup) v 1 went bankrupt 30 months ago and was
// deregistered (KKAV) 18-25 months ago, known only from the bulk file,
// whose row gives the ended bankruptcy without its date.
func (g *gen) predReg(sp *spec) time.Time {
	if sp.v == 0 {
		return g.today.AddDate(-9, 0, -40*sp.grp)
	}
	return g.today.AddDate(-6, 0, -25*sp.grp)
}

func (g *gen) predDates(sp *spec) (kk, dereg time.Time) {
	t := g.today
	if sp.v == 0 {
		return monthsAgo(t, 26+3*(sp.grp%8)), time.Time{}
	}
	switch {
	case sp.grp%3 == 1:
		return monthsAgo(t, 50), monthsAgo(t, 38)
	case sp.real == realBulkOnly:
		return monthsAgo(t, 30), monthsAgo(t, 18+sp.grp%8)
	}
	return monthsAgo(t, 13+sp.grp%8), time.Time{}
}

func replacePerson(o *org, old, nw person) {
	for k := range o.roles {
		if o.roles[k].p.pnr == old.pnr {
			o.roles[k].p = nw
		}
	}
	for k := range o.owners {
		if o.owners[k].p.pnr == old.pnr {
			o.owners[k].p = nw
		}
	}
}

// applySpec turns a baseline organisation into its planted case.
func (g *gen) applySpec(r *rand.Rand, o *org, sp *spec, j int) {
	t := g.today
	pp := func(k int) person { return g.personFor(g.special(j, k), false) }
	switch sp.kind {
	case kPred:
		kk, dereg := g.predDates(sp)
		x := g.personFor(g.s13Person(sp.grp), false)
		other := pp(1)
		if sp.grp == chainGroup && sp.v == 0 {
			other = g.chainPerson(0)
		}
		xr, or := "ordforande", "styrelseledamot"
		if sp.v == 1 {
			xr, or = or, xr
		}
		g.bankrupt(o, role{x, xr, o.reg.AddDate(0, 0, 30), kk}, role{other, or, o.reg, kk}, kk, dereg)
		return
	case kChain:
		g.applyChain(o, sp)
		return
	case kClean:
		o.withheld = sp.withheld
		if unknownMonth, unknownDay, ok := memberBirthUnknown(sp.real); ok {
			for _, rl := range o.roles {
				if rl.roll == "styrelseledamot" {
					replacePerson(o, rl.p, g.personUnknownBirth(g.special(j, 1), unknownMonth, unknownDay))
					break
				}
			}
		}
		if businesses[o.bus].cat >= 0 && businesses[o.bus].cat <= catArbetskoop {
			// Care-capable: S19 needs an SNI code in 87/88 for any care
			// contract it may be given later.
			o.sni = []string{businesses[o.bus].sni[0], "88999"}
			if o.sni[0] == "88999" {
				o.sni = o.sni[:1]
			}
		}
		return
	case kAcct:
		o.addrs = []addrVer{{0, fixed(accountingAddr)}}
		if sp.v == 0 {
			o.name = accountingFirmName
			o.sni = []string{"69201"}
			o.desc = "Redovisning, bokföring och ekonomisk rådgivning"
		}
		return
	}
	switch sp.ind {
	case "S01":
		o.fskatt = []int{0, 9}[sp.v%2]
	case "S02":
		o.employer = []int{0, 9}[sp.v%2]
	case "S03":
		o.stkl = 1
	case "S04":
		o.kfmPublic = int64(1 + sp.v%3)
		o.kfmPublicSEK = 15_000 + int64(r.IntN(400))*1000
	case "S05":
		if sp.v%3 == 2 {
			o.kfmOrders = 1
		} else {
			o.kfmPrivate = int64(1 + sp.v%2)
			o.kfmPrivateSEK = 8_000 + int64(r.IntN(60))*500
		}
	case "S06":
		if sp.v%3 == 2 {
			o.proc = []proceeding{{"LI", "Likvidation", t.AddDate(0, 0, -70)}}
		} else {
			o.proc = []proceeding{{"KK", "Konkurs", t.AddDate(0, 0, -(40 + 5*sp.v))}}
		}
	case "S07":
		o.proc = []proceeding{{"FR", "Företagsrekonstruktion", t.AddDate(0, 0, -(60 + 7*sp.v))}}
	case "S08":
		a, b, c := pp(0), pp(1), pp(2)
		o.roles = []role{{a, "ordforande", o.reg, time.Time{}}, {b, "styrelseledamot", o.reg, time.Time{}}, {c, "vd", o.reg, time.Time{}}}
		o.owners = []owner{{a, "100 %"}}
		o.docs = docEmpty
	case "S09":
		a, b, c, d, e, f := pp(0), pp(1), pp(2), pp(3), pp(4), pp(5)
		o.roles = []role{
			{a, "ordforande", o.reg, time.Time{}},
			{b, "styrelseledamot", o.reg, t.AddDate(0, 0, -500)},
			{c, "styrelseledamot", t.AddDate(0, 0, -500), t.AddDate(0, 0, -200)},
			{d, "styrelseledamot", t.AddDate(0, 0, -200), time.Time{}},
			{e, "vd", o.reg, t.AddDate(0, 0, -300)},
			{f, "vd", t.AddDate(0, 0, -300), time.Time{}},
		}
		o.owners = []owner{{a, "mer än 75 %"}}
	case "S10":
		a, b, c := pp(0), pp(1), pp(2)
		o.roles = []role{
			{a, "ordforande", o.reg, t.AddDate(0, 0, -65)},
			{b, "styrelseledamot", o.reg, t.AddDate(0, 0, -58)},
			{c, "ordforande", t.AddDate(0, 0, -72), time.Time{}},
		}
		o.owners = []owner{{c, "100 %"}}
		o.addrs = []addrVer{{0, g.addrFor(g.n + 3*o.i)}, {4, g.addrFor(o.i)}}
	case "S11":
		o.addrs = []addrVer{
			{0, g.addrFor(g.n + 3*o.i)}, {1, g.addrFor(g.n + 3*o.i + 1)},
			{2, g.addrFor(g.n + 3*o.i + 2)}, {3, g.addrFor(o.i)},
		}
	case "S12":
		switch sp.v {
		case s12Mass:
			o.addrs = []addrVer{{0, fixed(massAddrs[sp.grp%len(massAddrs)])}}
		case s12Box:
			o.addrs = []addrVer{{0, g.boxAddr(o.i, g.addrFor(o.i).town)}}
		case s12CO:
			a := g.addrFor(o.i)
			a.co = "c/o " + coFirms[sp.grp%len(coFirms)]
			o.addrs = []addrVer{{0, a}}
		}
	case "S13":
		replacePerson(o, pp(0), g.personFor(g.s13Person(sp.grp), false))
	case "S14":
		if sp.v == 0 {
			m := g.personFor(g.strawMan(sp.grp), false)
			for k := range o.roles {
				if o.roles[k].roll == "styrelseledamot" {
					old := o.roles[k].p
					replacePerson(o, old, m)
					o.roles[k].from = monthsAgo(t, 27+o.i%6)
				}
			}
		} else {
			c := g.personFor(g.special(j, 6), true)
			if sp.real == realUnknownBirth {
				c = g.personUnknownBirth(g.special(j, 6), true, true)
			}
			o.roles = []role{{c, "styrelseledamot", o.reg, time.Time{}}}
			o.owners = []owner{{c, "100 %"}}
		}
	case "S15":
		var who person
		typ, from, to := "naringsforbud", t.AddDate(0, 0, -200), t.AddDate(4, 0, 0)
		want := []string{"ordforande", "vd", "styrelseledamot"}[sp.v%3]
		for _, rl := range o.roles {
			if rl.roll == want {
				who = rl.p
				break
			}
		}
		if sp.v%3 == 2 {
			typ, from, to = "tillfalligt", t.AddDate(0, 0, -30), t.AddDate(0, 0, 150)
		}
		o.bans = append(o.bans, ban{who, from, to, typ, []string{"Malmö tingsrätt", "Lunds tingsrätt", "Helsingborgs tingsrätt"}[sp.v%3]})
	case "S16":
		o.ownersEmpty = true
	case "S17":
		o.docs = docStale
	case "S19":
		o.sni = []string{"70220", "85599"}
	case "S20":
		d := decision{}
		switch sp.v % 3 {
		case 0:
			d.date, d.typ, d.amount, d.text = t.AddDate(0, 0, -100), "sanktionsavgift", int64(50_000+r.IntN(15)*10_000), "Brister i riskbedömning hot och våld"
		case 1:
			d.date, d.typ, d.text = t.AddDate(0, 0, -300), "forelaggande", "Föreläggande om bemanning vid ensamarbete"
		default:
			d.date, d.typ, d.text = t.AddDate(0, 0, -500), "forbud", "Förbud mot ensamarbete nattetid"
		}
		d.dnr = fmt.Sprintf("%d/%06d", d.date.Year(), 10000+r.IntN(89999))
		o.avDec = append(o.avDec, d)
	case "C03":
		d := decision{}
		switch sp.v % 3 {
		case 0:
			d.date, d.typ, d.text = t.AddDate(0, 0, -90), "forelaggande", "Föreläggande om bemanning nattetid"
		case 1:
			d.date, d.typ, d.amount, d.text = t.AddDate(0, 0, -250), "vite", int64(100_000+r.IntN(10)*50_000), "Föreläggande förenat med vite om behandlingsinnehåll"
		default:
			d.date, d.typ, d.text = t.AddDate(0, 0, -400), "forbud", "Förbud att ta emot nya placeringar"
		}
		d.dnr = fmt.Sprintf("3.5.1-%05d/%d", r.IntN(99999), d.date.Year())
		o.ivoDec = append(o.ivoDec, d)
	}
}

// memberBirthUnknown tells, for the clean organisations whose board member
// has a samordningsnummer with an unknown birth date, which parts are
// unknown.
func memberBirthUnknown(real int) (unknownMonth, unknownDay, ok bool) {
	switch real {
	case realMemberNoDate:
		return true, true, true
	case realMemberNoDay:
		return false, true, true
	case realMemberNoMonth:
		return true, false, true
	}
	return false, false, false
}
