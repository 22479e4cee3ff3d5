package synthetic

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
)

// The synthetic sanctions list (S18): the EU consolidated financial
// sanctions file in its real format (XML 1.1, the export's namespace and
// the attributes the EU writes), a few hundred listed persons and
// enterprises with foreign names that no synthetic representative bears,
// and two entries about synthetic suppliers:
//
//   - the chair of one ordinary supplier with an active contract, listed
//     with their personnummer as an identification of country SE
//     (KindSanctionsIdentifier, Planted with S18): an identifier match,
//     S18 fires, L3;
//   - the chair of another such supplier, listed by name only with a birth
//     year at least two years from that of every current representative
//     of that name (KindSanctionsNearName): a name match that a birth year
//     disagreement keeps below the threshold; nothing fires.
//
// Both chairs sit on no other board, and no other current representative
// matches either entry at the threshold (the matcher itself tells, run
// over the whole population as the files are written), so that only
// their suppliers are concerned.

// SanctionsFile is the list's file in the output directory.
const SanctionsFile = "sanktioner/eu-sanktionslista.xml"

// sanctionsEntities is how many entities the list holds besides the two
// about synthetic suppliers.
const sanctionsEntities = 320

// sanctionCandidates is how many suppliers are considered for the two
// entries: the first ordinary companies with an active contract.
const sanctionCandidates = 8

// Kinds of RealCase for the sanctions list.
const (
	// KindSanctionsIdentifier: a current chair is on the EU list with
	// their personnummer (country SE): S18 fires, L3.
	KindSanctionsIdentifier = "sanctions-identifier"
	// KindSanctionsNearName: a current chair's name is on the EU list
	// with another birth year, no identifier: nothing fires.
	KindSanctionsNearName = "sanctions-near-name"
)

// sanctionCand is an ordinary supplier whose chair may be listed.
type sanctionCand struct {
	i           int
	orgnr, name string
	chair       person
	year        int
	// elsewhere counts the chair's current roles in other organisations;
	// spoiled says that another current representative matches the
	// chair's entry (name and birth year) at the threshold; nearSpoiled
	// that someone matches the name with the birth year nearYears[k].
	elsewhere   int
	spoiled     bool
	nearSpoiled [len(nearYears)]bool
}

// nearYears are the offsets tried for the near match's birth year: far
// enough from the chair's that the years disagree.
var nearYears = [...]int{9, -9, 11, -11, 13, -13, 7, -7}

// sanctionThreshold is the lowest score at which a rule of the default
// pack fires on a name (S18M, a person's name alone; rules/default):
// nobody but the planted chair may reach it.
const sanctionThreshold = 0.85

// birthYear reads the year of a 12-digit personnummer.
func birthYear(pnr string) int {
	y, _ := strconv.Atoi(pnr[:4])
	return y
}

// pickSanctionCandidates chooses the candidates before the files are
// written, the first ordinary companies with a contract active today
// whose chair holds a personnummer (and, in a population too small to
// have enough, the clean controls'), and indexes their possible entries
// so that the pass that writes the files finds whom else they match.
func (g *gen) pickSanctionCandidates() {
	var ents []sanctions.Entity
	ordinary := func(sp *spec) bool { return sp == nil }
	clean := func(sp *spec) bool {
		return sp != nil && sp.kind == kClean && !sp.tiny && sp.withheld == withheldNone && sp.real == realNone
	}
	for _, want := range []func(*spec) bool{ordinary, clean} {
		last := -1
		for _, c := range g.contracts {
			if len(g.sancCands) == sanctionCandidates {
				break
			}
			if sp, _ := g.spec(c.org); c.org == last || !isActive(c, g.today) || !want(sp) {
				continue
			}
			last = c.org
			ents = g.sanctionCandidate(c.org, ents)
		}
	}
	g.sancIx = match.New(ents)
}

// sanctionCandidate makes organisation i a candidate if it is a company
// whose chair holds a personnummer, and adds its possible entries to ents.
func (g *gen) sanctionCandidate(i int, ents []sanctions.Entity) []sanctions.Entity {
	o := g.build(i)
	if o.form != formAB {
		return ents
	}
	for _, r := range o.roles {
		if r.roll != "ordforande" || !r.to.IsZero() || r.p.pnr[6] >= '6' {
			continue
		}
		k := len(g.sancCands)
		cand := &sanctionCand{i: o.i, orgnr: o.orgnr, name: o.name, chair: r.p, year: birthYear(r.p.pnr)}
		g.sancCands = append(g.sancCands, cand)
		entry := func(id string, year int) sanctions.Entity {
			return sanctions.Entity{ID: id, Kind: sanctions.Person, Names: []sanctions.Name{{Full: r.p.name}}, BirthDates: []string{strconv.Itoa(year)}}
		}
		ents = append(ents, entry(strconv.Itoa(k), cand.year))
		for n, d := range nearYears {
			ents = append(ents, entry(fmt.Sprintf("%d/%d", k, n), cand.year+d))
		}
		break
	}
	return ents
}

// noteSanctionNames runs o's current representatives against the
// candidates' possible entries.
func (g *gen) noteSanctionNames(o *org) {
	if len(g.sancCands) == 0 {
		return
	}
	for _, r := range o.roles {
		if r.roll == "revisor" || !r.to.IsZero() && !r.to.After(g.today) {
			continue
		}
		for _, c := range g.sancCands {
			if r.p.pnr == c.chair.pnr && o.i != c.i {
				c.elsewhere++
			}
		}
		for _, m := range g.sancIx.Search(match.Query{Name: r.p.name, Kind: sanctions.Person, BirthYear: birthYear(r.p.pnr)}, sanctionThreshold, 1<<10) {
			k, n, near := strings.Cut(m.EntityID, "/")
			c := g.sancCands[atoi(k)]
			switch {
			case near:
				c.nearSpoiled[atoi(n)] = true
			case r.p.pnr != c.chair.pnr:
				c.spoiled = true
			}
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// writeSanctions chooses the two suppliers, writes the list and adds its
// step, the planted S18 case and the two real-format cases.
func (g *gen) writeSanctions() error {
	var listed, near *sanctionCand
	nearYear := 0
	for _, c := range g.sancCands {
		switch {
		case listed == nil && c.elsewhere == 0 && !c.spoiled:
			listed = c
		case near == nil && c.elsewhere == 0:
			if n := slices.Index(c.nearSpoiled[:], false); n >= 0 {
				near, nearYear = c, c.year+nearYears[n]
			}
		}
	}
	if listed == nil || near == nil {
		return fmt.Errorf("synthetic: sanctions list: no two ordinary suppliers with an active contract to list (of %d considered)", len(g.sancCands))
	}
	// Downloaded an hour before now: the lists' freshness window is two
	// days, the shortest of all sources, and a demo serves for a while.
	published := g.cfg.Now.Add(-time.Hour)
	var b bytes.Buffer
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"+
		"<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\" generationDate=\"%s\" globalFileId=\"%d\">\n",
		published.In(record.Stockholm).Format("2006-01-02T15:04:05.000-07:00"), 150000+g.h(0, saltSanctions)%9000)
	r := g.rngFor(0, saltSanctions)
	listedAt, nearAt := sanctionsEntities/3, 2*sanctionsEntities/3
	for k := 0; k < sanctionsEntities; k++ {
		switch k {
		case listedAt:
			g.euPlanted(&b, 9000+k, listed.chair, listed.chair.pnr[:4]+"-"+listed.chair.pnr[4:6]+"-"+listed.chair.pnr[6:8], listed.chair.pnr[:8]+"-"+listed.chair.pnr[8:])
		case nearAt:
			g.euPlanted(&b, 9000+k, near.chair, fmt.Sprintf("%d-%s-%s", nearYear, near.chair.pnr[4:6], near.chair.pnr[6:8]), "")
		}
		euEntity(&b, r, 1000+k)
	}
	b.WriteString("</export>\n")
	path := filepath.Join(g.dir, filepath.FromSlash(SanctionsFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return err
	}
	g.steps = append(g.steps, Step{Source: record.SanctionsEU, File: SanctionsFile, Observed: published})
	g.planted = append(g.planted, Planted{Orgnr: listed.orgnr, Name: listed.name, Indicators: []string{"S18"}})
	// A clean control listed is clean no more.
	g.clean = slices.DeleteFunc(g.clean, func(o string) bool { return o == listed.orgnr })
	g.real = append(g.real,
		RealCase{Kind: KindSanctionsIdentifier, Orgnr: listed.orgnr, Name: listed.name,
			What:   fmt.Sprintf("EU sanctions list: the chair %s, listed with their personnummer (identification, country SE)", listed.chair.name),
			Expect: Outcome{Step: ladder.L3, Verdict: ladder.Block, Hits: []string{"S18"}}},
		RealCase{Kind: KindSanctionsNearName, Orgnr: near.orgnr, Name: near.name,
			What: fmt.Sprintf("EU sanctions list: the name of the chair %s (born %d), listed born %d, no identifier: below the threshold",
				near.chair.name, near.year, nearYear),
			Expect: Outcome{Step: ladder.L0, Verdict: ladder.Clear, Hits: []string{}}})
	return nil
}

// euPlanted writes the entry about a synthetic representative: their name
// (first and last name as the EU splits them), a birth date, and, when
// number is not empty, their personnummer as a Swedish identification.
func (g *gen) euPlanted(b *bytes.Buffer, id int, p person, born, number string) {
	first, last, _ := strings.Cut(p.name, " ")
	ref := fmt.Sprintf("EU.%d.%d", 8000+id, 10+id%80)
	fmt.Fprintf(b, "    <sanctionEntity designationDetails=\"\" unitedNationId=\"\" euReferenceNumber=\"%s\" logicalId=\"%d\">\n", ref, id)
	euRegulation(b, "RUS", g.daysAgo(40+id%200))
	b.WriteString("        <subjectType code=\"person\" classificationCode=\"P\"/>\n")
	euName(b, id, first, last, strings.ToUpper(last)+" "+first, "", true)
	year := born[:4]
	fmt.Fprintf(b, "        <birthdate circa=\"false\" calendarType=\"GREGORIAN\" city=\"\" zipCode=\"\" birthdate=\"%s\" dayOfMonth=\"%s\" monthOfYear=\"%s\" year=\"%s\" region=\"\" place=\"\" countryIso2Code=\"SE\" countryDescription=\"SWEDEN\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n",
		born, strings.TrimLeft(born[8:], "0"), strings.TrimLeft(born[5:7], "0"), year, 70000+id)
	if number != "" {
		fmt.Fprintf(b, "        <citizenship region=\"\" countryIso2Code=\"SE\" countryDescription=\"SWEDEN\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n", 80000+id)
		fmt.Fprintf(b, "        <identification diplomatic=\"false\" knownExpired=\"false\" knownFalse=\"false\" reportedLost=\"false\" revokedByIssuer=\"false\" issuedBy=\"\" latinNumber=\"\" nameOnDocument=\"\" number=\"%s\" region=\"\" countryIso2Code=\"SE\" countryDescription=\"SWEDEN\" identificationTypeCode=\"id\" identificationTypeDescription=\"National identification card\" regulationLanguage=\"en\" logicalId=\"%d\">\n",
			number, 90000+id)
		b.WriteString("            <remark>(personal identification number)</remark>\n        </identification>\n")
	}
	b.WriteString("    </sanctionEntity>\n")
}

// Listed names, in Latin letters as the EU writes them and in their own
// script where the list adds it, chosen apart from the synthetic
// population's names (names.go).
var (
	rusGiven = [][2]string{{"Sergei", "Сергей"}, {"Aleksandr", "Александр"}, {"Aleksei", "Алексей"}, {"Igor", "Игорь"},
		{"Yuri", "Юрий"}, {"Yevgeny", "Евгений"}, {"Oleg", "Олег"}, {"Pavel", "Павел"}, {"Roman", "Роман"},
		{"Vladimir", "Владимир"}, {"Boris", "Борис"}, {"Gennady", "Геннадий"}, {"Konstantin", "Константин"}, {"Vadim", "Вадим"}}
	rusGivenF = [][2]string{{"Tatiana", "Татьяна"}, {"Natalia", "Наталья"}, {"Svetlana", "Светлана"}, {"Galina", "Галина"},
		{"Lyudmila", "Людмила"}, {"Anastasia", "Анастасия"}, {"Valentina", "Валентина"}, {"Yulia", "Юлия"}}
	// rusPatronymic: a man's; a woman's ends in -na for -ich.
	rusPatronymic = [][2]string{{"Sergeyevich", "Сергеевич"}, {"Aleksandrovich", "Александрович"}, {"Igorevich", "Игоревич"},
		{"Yuryevich", "Юрьевич"}, {"Olegovich", "Олегович"}, {"Pavlovich", "Павлович"}, {"Romanovich", "Романович"},
		{"Vladimirovich", "Владимирович"}, {"Borisovich", "Борисович"}, {"Gennadyevich", "Геннадьевич"}, {"Vadimovich", "Вадимович"}}
	rusFamily = [][2]string{{"Kuznetsov", "Кузнецов"}, {"Volkov", "Волков"}, {"Sokolov", "Соколов"}, {"Morozov", "Морозов"},
		{"Lebedev", "Лебедев"}, {"Kozlov", "Козлов"}, {"Fedorov", "Федоров"}, {"Orlov", "Орлов"}, {"Zaitsev", "Зайцев"},
		{"Belov", "Белов"}, {"Gusev", "Гусев"}, {"Titov", "Титов"}, {"Komarov", "Комаров"}, {"Zhukov", "Жуков"},
		{"Baranov", "Баранов"}, {"Kiselev", "Киселев"}, {"Frolov", "Фролов"}, {"Gromov", "Громов"}, {"Tarasov", "Тарасов"},
		{"Shcherbakov", "Щербаков"}}
	arabGiven = []string{"Abdulrahman", "Faisal", "Hamza", "Bilal", "Yasser", "Mustafa", "Ibrahim", "Jamal", "Saeed", "Zayd",
		"Marwan", "Walid", "Rami", "Nabil"}
	arabFamily = []string{"Al-Zahrani", "Al-Qahtani", "Al-Shammari", "Al-Otaibi", "Al-Harbi", "Al-Mutairi", "Al-Dosari",
		"Al-Ghamdi", "Al-Baghdadi", "Al-Tikriti", "Al-Halabi", "Makhlouf", "Shalish", "Jaber"}
	persGiven  = []string{"Reza", "Mahmoud", "Hossein", "Javad", "Mehdi", "Ebrahim", "Qasem", "Mojtaba"}
	persFamily = []string{"Rezaei", "Hosseini", "Karimi", "Jafari", "Moradi", "Sadeghi", "Ghorbani", "Shamkhani", "Vahidi"}
	korGiven   = []string{"Chol Nam", "Myong Su", "Song Il", "Yong Ho", "Kwang Chol", "Jong Hyok", "Chang Ho"}
	korFamily  = []string{"Ri", "Pak", "Jang", "Choe", "Kang", "Jon"}
	firmStems  = []string{"Stroymontazh", "Neftekhim", "Avtotrans", "Energomash", "Sudostroy", "Promsnab", "Metallurgprom",
		"Spetsavtomatika", "Zhelezobeton", "Radioelektronika", "Khimvolokno", "Gazavtomatika", "Tekhnopromeksport", "Rosspetsmash"}
	firmPlaces = []string{"Volga", "Ural", "Baikal", "Sever", "Vostok", "Amur", "Kuban", "Yenisei", "Don", "Tavria"}
	firmForms  = []string{"OOO", "JSC", "AO", "PJSC", "FZE", "LLC"}
)

// euEntity writes one listed person or enterprise with logical id id.
func euEntity(b *bytes.Buffer, r *rand.Rand, id int) {
	type prog struct{ code, country, countryName string }
	progs := []prog{{"RUS", "RU", "RUSSIAN FEDERATION"}, {"SYR", "SY", "SYRIAN ARAB REPUBLIC"}, {"IRN", "IR", "IRAN (ISLAMIC REPUBLIC OF)"},
		{"PRK", "KP", "KOREA (DEMOCRATIC PEOPLE'S REPUBLIC OF)"}, {"BLR", "BY", "BELARUS"}}
	var p prog
	k := r.IntN(10)
	switch {
	case k < 4:
		p = progs[0]
		if r.IntN(4) == 0 {
			p = progs[4]
		}
	case k < 6:
		p = progs[1]
	case k < 7:
		p = progs[2]
	case k < 8:
		p = progs[3]
	default:
		p = progs[r.IntN(len(progs))]
	}
	enterprise := k >= 8 || r.IntN(6) == 0
	fmt.Fprintf(b, "    <sanctionEntity designationDetails=\"\" unitedNationId=\"\" euReferenceNumber=\"EU.%d.%d\" logicalId=\"%d\">\n", 4000+id*7, 10+id%90, id)
	euRegulation(b, p.code, time.Date(2014+r.IntN(12), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC))
	if enterprise {
		b.WriteString("        <subjectType code=\"enterprise\" classificationCode=\"E\"/>\n")
		name := pick(r, firmForms) + " " + pick(r, firmStems) + "-" + pick(r, firmPlaces)
		if r.IntN(3) == 0 {
			name = strings.ToUpper(pick(r, firmStems)) + " " + pick(r, firmForms)
		}
		euName(b, id*4, "", "", name, "", true)
		if p.code == "RUS" || p.code == "BLR" {
			fmt.Fprintf(b, "        <identification diplomatic=\"false\" knownExpired=\"false\" knownFalse=\"false\" reportedLost=\"false\" revokedByIssuer=\"false\" issuedBy=\"\" latinNumber=\"\" nameOnDocument=\"\" number=\"%d\" region=\"\" countryIso2Code=\"%s\" countryDescription=\"%s\" identificationTypeCode=\"regnumber\" identificationTypeDescription=\"Registration Number\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n",
				1020000000000+r.Int64N(9e12), p.country, p.countryName, 30000+id)
		}
		b.WriteString("    </sanctionEntity>\n")
		return
	}
	b.WriteString("        <subjectType code=\"person\" classificationCode=\"P\"/>\n")
	female := r.IntN(4) == 0
	switch p.code {
	case "RUS", "BLR":
		g, f := rusGiven, pick(r, rusFamily)
		if female {
			g = rusGivenF
			f = [2]string{f[0] + "a", f[1] + "а"}
		}
		given, pat := pick(r, g), pick(r, rusPatronymic)
		if female {
			pat = [2]string{strings.TrimSuffix(pat[0], "ich") + "na", strings.TrimSuffix(pat[1], "ич") + "на"}
		}
		euName(b, id*4, given[0], f[0], given[0]+" "+pat[0]+" "+strings.ToUpper(f[0]), "", true)
		euName(b, id*4+1, given[1], f[1], f[1]+" "+given[1]+" "+pat[1], "RU", true)
		if r.IntN(3) == 0 {
			euName(b, id*4+2, "", "", given[0][:1]+". "+f[0], "", false)
		}
	case "SYR":
		given, fam := pick(r, arabGiven), pick(r, arabFamily)
		euName(b, id*4, given, fam, given+" "+fam, "", true)
		if r.IntN(2) == 0 {
			euName(b, id*4+1, "", "", "Abu "+pick(r, arabGiven), "", false)
		}
	case "IRN":
		given, fam := pick(r, persGiven), pick(r, persFamily)
		euName(b, id*4, given, fam, given+" "+strings.ToUpper(fam), "", true)
	default:
		given, fam := pick(r, korGiven), pick(r, korFamily)
		euName(b, id*4, given, fam, strings.ToUpper(fam)+" "+given, "", true)
	}
	y := 1945 + r.IntN(45)
	m, d := 1+r.IntN(12), 1+r.IntN(28)
	if r.IntN(5) == 0 {
		fmt.Fprintf(b, "        <birthdate circa=\"false\" calendarType=\"GREGORIAN\" city=\"\" zipCode=\"\" year=\"%d\" region=\"\" place=\"\" countryIso2Code=\"%s\" countryDescription=\"%s\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n",
			y, p.country, p.countryName, 50000+id)
	} else {
		fmt.Fprintf(b, "        <birthdate circa=\"false\" calendarType=\"GREGORIAN\" city=\"\" zipCode=\"\" birthdate=\"%04d-%02d-%02d\" dayOfMonth=\"%d\" monthOfYear=\"%d\" year=\"%d\" region=\"\" place=\"\" countryIso2Code=\"%s\" countryDescription=\"%s\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n",
			y, m, d, d, m, y, p.country, p.countryName, 50000+id)
	}
	fmt.Fprintf(b, "        <citizenship region=\"\" countryIso2Code=\"%s\" countryDescription=\"%s\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n", p.country, p.countryName, 60000+id)
	if r.IntN(3) == 0 {
		fmt.Fprintf(b, "        <identification diplomatic=\"false\" knownExpired=\"false\" knownFalse=\"false\" reportedLost=\"false\" revokedByIssuer=\"false\" issuedBy=\"\" latinNumber=\"\" nameOnDocument=\"\" number=\"%d%07d\" region=\"\" countryIso2Code=\"%s\" countryDescription=\"%s\" identificationTypeCode=\"passport\" identificationTypeDescription=\"National passport\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n",
			10+r.IntN(89), r.IntN(9999999), p.country, p.countryName, 30000+id)
	}
	b.WriteString("    </sanctionEntity>\n")
}

// euRegulation writes the regulation that listed an entity.
func euRegulation(b *bytes.Buffer, programme string, published time.Time) {
	n := 200 + published.YearDay()
	fmt.Fprintf(b, "        <regulation regulationType=\"amendment\" organisationType=\"council\" publicationDate=\"%s\" entryIntoForceDate=\"%s\" numberTitle=\"%d/%d (OJ L%d)\" programme=\"%s\" logicalId=\"%d\">\n",
		published.Format(time.DateOnly), published.Format(time.DateOnly), published.Year(), n, 40+n%300, programme, 100000+n*17+published.Year())
	fmt.Fprintf(b, "            <publicationUrl>https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:3%dR%04d&amp;from=EN</publicationUrl>\n        </regulation>\n",
		published.Year(), n)
}

// euName writes a nameAlias; strong false is the EU's weak alias.
func euName(b *bytes.Buffer, id int, first, last, whole, lang string, strong bool) {
	fmt.Fprintf(b, "        <nameAlias firstName=\"%s\" middleName=\"\" lastName=\"%s\" wholeName=\"%s\" function=\"\" title=\"\" nameLanguage=\"%s\" strong=\"%t\" regulationLanguage=\"en\" logicalId=\"%d\"/>\n",
		xmlAttr(first), xmlAttr(last), xmlAttr(whole), lang, strong, id)
}

// xmlAttr escapes an attribute value.
func xmlAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }
