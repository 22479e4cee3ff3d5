package synthetic

import "time"

// The front men's chain. Welfare-crime networks pass companies from hand
// to hand through front men, each on the boards of two of them, and leave
// some bankrupt or deregistered behind. One such chain goes on from the
// first bankrupt predecessor of S13 network chainGroup: the predecessor's
// second board member, chain man 0, also sat on the board of the chain's
// first company, chain man k on those of companies k-1 and k, and so on.
//
// Seen from that network's S13 case (hop 0), the person on its board and
// both predecessors' leads to the predecessors (hop 1), and chain man 0 to
// the chain's first company (hop 2): a network drawn to depth 2 stops
// there, and expanding it walks the chain company by company.
//
// The chain's companies have no contracts. The bankrupt and deregistered
// ones trigger S01 and S06 (Planted); the active one is built to trigger
// nothing: each of its board members sat on one bankrupt company only, and
// S13 wants two.
const chainGroup = 0

// chainLink is one company of the chain, by its position.
type chainLink struct {
	cat  int      // the business it is in (no contract)
	inds []string // what it triggers
	// Months before now: registered, bankruptcy decided (0: none),
	// deregistered after the concluded bankruptcy (0: not).
	regM, kkM, deregM int
}

func (l chainLink) reg(t time.Time) time.Time { return monthsAgo(t, l.regM) }

var chainLinks = []chainLink{
	{cat: catHVBBarn, inds: []string{"S01", "S06"}, regM: 70, kkM: 22},               // bankruptcy ongoing
	{cat: catStodboende, regM: 40},                                                   // active: the chain goes on
	{cat: catHVBVuxna, inds: []string{"S01", "S06"}, regM: 120, kkM: 58, deregM: 46}, // deregistered (KKAV)
}

// planChain adds the chain's companies to the plan.
func (g *gen) planChain(add func(spec)) {
	for v, l := range chainLinks {
		add(spec{kind: kChain, inds: l.inds, grp: chainGroup, v: v, cat: -1, bus: businessFor(l.cat)})
	}
}

// chainPerson is chain man k.
func (g *gen) chainPerson(k int) person { return g.personFor(g.chainMan(k), false) }

// applyChain makes o company sp.v of the chain: chain men v and v+1 on
// its board, their roles ending at its bankruptcy.
func (g *gen) applyChain(o *org, sp *spec) {
	l, t := chainLinks[sp.v], g.today
	a, b := g.chainPerson(sp.v), g.chainPerson(sp.v+1)
	if l.kkM == 0 {
		replacePerson(o, o.roles[0].p, a)
		replacePerson(o, o.roles[1].p, b)
		return
	}
	kk := monthsAgo(t, l.kkM)
	var dereg time.Time
	if l.deregM > 0 {
		dereg = monthsAgo(t, l.deregM)
	}
	g.bankrupt(o, role{a, "ordforande", o.reg, kk}, role{b, "styrelseledamot", o.reg.AddDate(0, 0, 45), kk}, kk, dereg)
}

// bankrupt makes o a company that went bankrupt at kk (deregistered at
// dereg after the bankruptcy was concluded, when not zero), whose two
// board members owned it half each: F-skatt, VAT and employer status
// deregistered, no annual reports.
func (g *gen) bankrupt(o *org, a, b role, kk, dereg time.Time) {
	o.roles = []role{a, b}
	o.owners = []owner{{b.p, halfShare}, {a.p, halfShare}}
	if dereg.IsZero() {
		o.proc = []proceeding{{"KK", "Konkurs", kk}}
	} else {
		o.dereg, o.deregCode, o.deregText = dereg, "KKAV", "Avslutad konkurs"
	}
	o.fskatt, o.moms, o.employer, o.stkl = 9, 9, 9, 1
	o.docs = docNone
}
