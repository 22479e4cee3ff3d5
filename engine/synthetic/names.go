package synthetic

// Word lists for Swedish-looking names, streets and towns. Every string here
// is representable in ISO-8859-1 (the SCB bulk file's encoding).

type town struct {
	name      string   // as written in one-line addresses: "Malmö"
	upper     string   // as the registers spell the postort: "MALMÖ"
	kommunkod string   // four-digit municipality code
	prefixes  []string // three-digit postcode prefixes, one address slot each
	boxPrefix string   // postcode prefix for box addresses
}

var towns = []town{
	{"Malmö", "MALMÖ", "1280", []string{"211", "212", "213", "214", "215", "216", "217", "218"}, "201"},
	{"Lund", "LUND", "1281", []string{"222", "223", "224", "225", "226", "227"}, "221"},
	{"Helsingborg", "HELSINGBORG", "1283", []string{"252", "253", "254", "256"}, "251"},
	{"Trelleborg", "TRELLEBORG", "1287", []string{"231"}, "231"},
	{"Ystad", "YSTAD", "1286", []string{"271"}, "271"},
	{"Kristianstad", "KRISTIANSTAD", "1290", []string{"291"}, "291"},
	{"Landskrona", "LANDSKRONA", "1282", []string{"261"}, "261"},
	{"Eslöv", "ESLÖV", "1285", []string{"241"}, "241"},
	{"Höganäs", "HÖGANÄS", "1284", []string{"263"}, "263"},
	{"Hässleholm", "HÄSSLEHOLM", "1293", []string{"281"}, "281"},
	{"Ängelholm", "ÄNGELHOLM", "1292", []string{"262"}, "262"},
	{"Staffanstorp", "STAFFANSTORP", "1230", []string{"245"}, "245"},
	{"Vellinge", "VELLINGE", "1233", []string{"235"}, "235"},
	{"Kävlinge", "KÄVLINGE", "1261", []string{"244"}, "244"},
	{"Svedala", "SVEDALA", "1263", []string{"233"}, "233"},
	{"Simrishamn", "SIMRISHAMN", "1291", []string{"272"}, "272"},
	{"Lomma", "LOMMA", "1262", []string{"234"}, "234"},
	{"Höör", "HÖÖR", "1267", []string{"243"}, "243"},
	{"Sjöbo", "SJÖBO", "1265", []string{"275"}, "275"},
	{"Skurup", "SKURUP", "1264", []string{"274"}, "274"},
}

// slots flattens towns into (town, postcode prefix) pairs; an address slot
// is one such pair, so two slots never share a postcode.
type slot struct {
	town   int
	prefix string
}

var slots = func() []slot {
	var s []slot
	for ti, t := range towns {
		for _, p := range t.prefixes {
			s = append(s, slot{ti, p})
		}
	}
	return s
}()

var streetPrefixes = []string{"", "Norra ", "Södra ", "Östra ", "Västra ", "Lilla "}

var streetBases = []string{
	"Storgatan", "Kungsgatan", "Drottninggatan", "Bergsgatan", "Kyrkogatan", "Järnvägsgatan",
	"Stationsgatan", "Västergatan", "Östergatan", "Skolgatan", "Trädgårdsgatan", "Hamngatan",
	"Bangatan", "Kvarngatan", "Smedjegatan", "Prästgatan", "Torggatan", "Klostergatan",
	"Bredgatan", "Fabriksgatan", "Verkstadsgatan", "Hantverkaregatan", "Regementsgatan",
	"Sockerbruksgatan", "Strandvägen", "Havsgatan", "Möllegatan", "Lundavägen", "Malmövägen",
	"Ystadvägen", "Helsingborgsvägen", "Landskronavägen", "Byagatan", "Åkervägen", "Ängsvägen",
	"Björkvägen", "Ekvägen", "Lindvägen", "Granvägen", "Tallvägen", "Almvägen", "Lönngatan",
	"Rosengatan", "Tulpanvägen", "Syrénvägen", "Kastanjegatan", "Bokvägen", "Hasselvägen",
	"Fläderstigen", "Vallgatan", "Slottsgatan", "Borgaregatan", "Rådhusgatan", "Brogatan",
	"Åvägen", "Kanalgatan", "Tegelbruksvägen", "Mejerigatan", "Bryggaregatan", "Skeppsgatan",
	"Fiskaregatan", "Sjömansgatan", "Nygatan", "Långgatan", "Tvärgatan", "Parkgatan",
	"Idrottsgatan", "Solvägen", "Månvägen", "Stjärnvägen", "Gärdesvägen", "Kärrvägen",
	"Mossvägen", "Hagagatan", "Villavägen", "Sommarvägen", "Vintergatan", "Vårvägen",
	"Höstvägen", "Industrivägen",
}

// Special street addresses, outside the generated street space.
type fixedAddr struct {
	street, postcode string
	town             int
}

var massAddrs = []fixedAddr{
	{"Hyllie Boulevard 35", "21532", 0},
	{"Jägersrovägen 160", "21237", 0},
	{"Scheelevägen 27", "22370", 1},
	{"Garnisonsgatan 25", "25466", 2},
	{"Gustav Adolfs torg 8", "21139", 0},
	{"Bergaliden 11", "25223", 2},
}

var accountingAddr = fixedAddr{"Stortorget 8", "21122", 0}

const accountingFirmName = "Redovisningsbyrån Stortorget i Malmö AB"

var coFirms = []string{
	"Redovisningsbyrån Stortorget i Malmö AB", "Ekonomikonsult Öresund AB", "Bokföringshuset Syd AB",
	"Revisionsbyrån Lund AB", "Kontorshotellet Hyllie AB",
}

var femaleNames = []string{
	"Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Emma", "Ingrid", "Malin",
	"Jenny", "Linda", "Johanna", "Elin", "Sofia", "Hanna", "Ida", "Camilla", "Helena", "Annika",
	"Susanne", "Åsa", "Ulrika", "Therese", "Petra", "Frida", "Amira", "Fatima", "Leila", "Yasmin",
	"Agnes", "Ebba", "Matilda", "Louise", "Jessica", "Marie", "Birgitta", "Gunilla", "Mona", "Nadia",
}

var maleNames = []string{
	"Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Jan", "Mikael", "Hans",
	"Peter", "Fredrik", "Daniel", "Magnus", "Mattias", "Henrik", "Jonas", "Oskar", "Viktor", "Emil",
	"Gustav", "Björn", "Ali", "Mohammed", "Ahmed", "Hassan", "Omar", "Mehmet", "Dragan", "Tomasz",
	"Stefan", "Thomas", "Christer", "Göran", "Ola", "Måns", "Axel", "Filip", "Samir", "Nikola",
}

var lastNames = []string{
	"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
	"Svensson", "Gustafsson", "Pettersson", "Jönsson", "Jansson", "Hansson", "Bengtsson", "Lindberg",
	"Lindström", "Lindqvist", "Lind", "Ek", "Holm", "Berg", "Åkesson", "Mårtensson", "Sjöberg",
	"Nyström", "Håkansson", "Ohlsson", "Ström", "Lundgren", "Mattsson", "Axelsson", "Lundberg",
	"Nordin", "Malmberg", "Sandberg", "Ali", "Hassan", "Noor", "Yilmaz", "Nguyen", "Jovanovic",
	"Nowak", "Haddad", "Khalil", "Abdi", "Mohamud", "Petrovic", "Kaya", "Sörensen",
}

// Names for holders of a samordningsnummer (people without Swedish
// population registration).
var foreignFemale = []string{"Agnieszka", "Olena", "Irina", "Aisha", "Maja", "Dana", "Ewa", "Lina"}
var foreignMale = []string{"Piotr", "Andrij", "Marek", "Yusuf", "Dmitri", "Tarik", "Goran", "Adam"}
var foreignLast = []string{
	"Kowalski", "Nowak", "Shevchenko", "Popescu", "Haddad", "Petrov", "Horvat", "Wisniewski",
	"Bondarenko", "Rahimi", "Demir", "Novak",
}

var unitNames = []string{
	"Ekbacken", "Solrosen", "Gläntan", "Lärkan", "Fyrbåken", "Ankaret", "Björkhagen", "Lindgården",
	"Vägskälet", "Kompassen", "Havsutsikten", "Strandgården", "Äppelgården", "Rönnbäret", "Skogsbrynet",
	"Ljungbacken", "Sjöglimten", "Tallkrogen", "Kastanjen", "Bokskogen",
}

// catWords qualify care names: "Gläntan Ungdomsvård AB".
var catWords = map[int][]string{
	catHVBBarn:     {"Ungdomsvård", "HVB", "Omsorg", "Behandlingshem"},
	catHVBVuxna:    {"Behandling", "Vård", "HVB"},
	catStodboende:  {"Stödboende", "Boende", "Omsorg"},
	catSkyddat:     {"Skyddat Boende", "Stöd"},
	catFamiljehem:  {"Familjevård", "Konsulent"},
	catOppenvard:   {"Öppenvård", "Behandling", "Samtal"},
	catArbetskoop:  {"Kooperativ", "Arbete"},
	catHandledning: {"Handledning", "Konsult", "Utbildning"},
}

var placeParts = []string{"", " Syd", " Skåne", " Öresund", " i %s", " %s"}

// sniTexts holds the SNI 2007 texts used.
var sniTexts = map[string]string{
	"87901": "Heldygnsvård med boende för barn och ungdomar med sociala problem",
	"87902": "Boende med särskild service för barn och ungdomar med sociala problem",
	"87903": "Heldygnsvård med boende för vuxna med missbruksproblem",
	"87904": "Annan heldygnsvård med boende för vuxna",
	"87203": "Boende med särskild service för vuxna med psykiska funktionshinder",
	"88991": "Öppna sociala insatser för barn och ungdomar med sociala problem",
	"88992": "Öppna sociala insatser för vuxna med missbruksproblem",
	"88993": "Andra öppna sociala insatser för vuxna",
	"88995": "Drift av arbetsmarknadsinstitut",
	"88999": "Diverse övriga öppna sociala insatser",
	"86909": "Annan hälso- och sjukvård",
	"85599": "Diverse övrig utbildning",
	"70220": "Konsultverksamhet avseende företags organisation",
	"74300": "Översättning och tolkning",
	"62010": "Dataprogrammering",
	"62020": "Datakonsultverksamhet",
	"58290": "Utgivning av annan programvara",
	"80200": "Säkerhetssystemtjänster",
	"80100": "Säkerhetsverksamhet",
	"46390": "Icke-specialiserad partihandel med livsmedel, drycker och tobak",
	"46310": "Partihandel med frukt och grönsaker",
	"81210": "Lokalvård",
	"81220": "Specialiserad rengöring av byggnader och industriell rengöring",
	"41200": "Byggande av bostadshus och andra byggnader",
	"43320": "Byggnadssnickeriarbeten",
	"43341": "Måleriarbeten",
	"43221": "Värme- och sanitetsarbeten",
	"56100": "Restaurangverksamhet",
	"47190": "Annan detaljhandel med brett sortiment",
	"47710": "Detaljhandel med kläder",
	"69201": "Redovisning och bokföring",
	"68204": "Uthyrning och förvaltning av egna eller arrenderade andra lokaler",
	"68201": "Uthyrning och förvaltning av egna eller arrenderade bostäder",
	"49410": "Vägtransport, godstrafik",
	"49320": "Taxitrafik",
	"96021": "Hårvård",
	"86230": "Tandläkarverksamhet",
	"86905": "Fysioterapeutisk verksamhet",
	"94990": "Verksamhet i andra intresseorganisationer",
	"93120": "Idrottsföreningars verksamhet",
}

// Contract categories (formats/README.md, avtal.csv).
type category struct {
	key     string
	staffed bool  // ★
	permit  bool  // †
	care    bool  // † or oppenvard: S19 wants SNI 87/88
	daily   int64 // typical daily price (SEK per dygn); 0 = no daily price
	monthly int64 // typical monthly invoice when there is no daily price
	minPl   int   // places range for daily-priced categories
	maxPl   int
	malgrp  []string // IVO target groups
}

const (
	catHVBBarn = iota
	catHVBVuxna
	catStodboende
	catSkyddat
	catFamiljehem
	catOppenvard
	catArbetskoop
	catHandledning
	catTolk
	catLarm
	catLivsmedel
	catIT
	catOvrigt
	numCats
)

var categories = [numCats]category{
	{"hvb_barn", true, true, true, 4200, 0, 4, 12, []string{"Barn och unga 13-17 år", "Pojkar 13-17 år", "Flickor 14-18 år"}},
	{"hvb_vuxna", true, true, true, 3000, 0, 6, 18, []string{"Vuxna med missbruksproblem", "Vuxna 21 år och äldre", "Män med missbruk"}},
	{"stodboende", true, true, true, 1900, 0, 4, 14, []string{"Unga vuxna 16-20 år", "Ensamkommande 16-20 år"}},
	{"skyddat_boende", true, true, true, 2500, 0, 4, 10, []string{"Våldsutsatta kvinnor med barn", "Våldsutsatta vuxna"}},
	{"familjehem_konsulent", true, true, true, 1500, 0, 5, 20, []string{"Familjehemsplacerade barn och unga"}},
	{"oppenvard", true, false, true, 1100, 0, 5, 18, nil},
	{"arbetskooperativ", true, false, false, 800, 0, 5, 15, nil},
	{"handledning", true, false, false, 0, 35000, 0, 0, nil},
	{"tolk", true, false, false, 0, 60000, 0, 0, nil},
	{"larm", false, false, false, 0, 20000, 0, 0, nil},
	{"livsmedel", false, false, false, 0, 150000, 0, 0, nil},
	{"it", false, false, false, 0, 90000, 0, 0, nil},
	{"ovrigt", false, false, false, 0, 50000, 0, 0, nil},
}

// Businesses: what an organisation does. Those with cat >= 0 may sell to
// the municipality in that category.
type business struct {
	key       string
	cat       int
	weight    int // background weight (per mille)
	contractP float64
	sni       []string // primary SNI candidates
	sni2      []string // secondary SNI candidates
	words     []string // name cores
	descs     []string // verksamhetsbeskrivning
	foreningP float64  // share run as an association
}

const (
	busStad    = 17 // cleaning (ovrigt-type services)
	busKonsult = 12
	busCare0   = 0 // first care business; care businesses are 0..7
)

var businesses = []business{
	{"hvb_barn", catHVBBarn, 15, 0.75, []string{"87901"}, []string{"88991", "87902"},
		[]string{"Ungdomshemmet", "Fyrbåken", "Kompassen", "Ankaret", "Bryggan", "Nästa Steg", "Ungdomsstöd", "Tryggheten", "Trygga Hem", "Gläntan"},
		[]string{"Bedriva HVB för barn och unga", "Hem för vård eller boende för ungdomar samt därmed förenlig verksamhet", "Bedriva behandlingshem för barn och ungdomar"}, 0},
	{"hvb_vuxna", catHVBVuxna, 10, 0.75, []string{"87903", "87904"}, []string{"88992"},
		[]string{"Behandlingshemmet", "Vägen Ut", "Nya Vägar", "Stegen", "Vändpunkten", "Nyktra Hem", "Omsorg"},
		[]string{"Bedriva HVB för vuxna med missbruksproblem", "Behandling och boende för vuxna", "Vård och behandling av vuxna med beroendeproblematik"}, 0},
	{"stodboende", catStodboende, 12, 0.75, []string{"87902", "87203"}, []string{"88999"},
		[]string{"Stödboendet", "Egen Väg", "Steget Vidare", "Boendestöd", "Trygga Hem", "Omsorg"},
		[]string{"Stödboende för unga vuxna", "Bedriva stödboende och boendestöd", "Boende med stöd för ungdomar 16-20 år"}, 0},
	{"skyddat_boende", catSkyddat, 4, 0.75, []string{"87904"}, []string{"88993"},
		[]string{"Kvinnojouren", "Skyddsnätet", "Fristaden", "Tryggt Boende", "Skyddat Boende"},
		[]string{"Skyddat boende för våldsutsatta", "Stöd och skyddat boende för kvinnor och barn"}, 0.4},
	{"familjehem_konsulent", catFamiljehem, 8, 0.75, []string{"88991", "88999"}, []string{"87901"},
		[]string{"Familjeresurs", "Familjestöd", "Familjehemsgruppen", "Familjevården", "Barnens Bästa"},
		[]string{"Konsulentstödd familjehemsverksamhet", "Rekrytering och handledning av familjehem"}, 0},
	{"oppenvard", catOppenvard, 12, 0.75, []string{"88992", "88993"}, []string{"86909"},
		[]string{"Öppenvården", "Behandlingsgruppen", "Samtalsmottagningen", "Vägledaren", "Livsstegen", "Omsorg"},
		[]string{"Öppenvårdsbehandling för unga och vuxna", "Missbruksbehandling i öppenvård", "Psykosocialt stöd och behandling"}, 0.15},
	{"arbetskooperativ", catArbetskoop, 5, 0.75, []string{"88995", "88999"}, nil,
		[]string{"Arbetskooperativet", "Verkstan", "Kooperativet Framåt", "Sysselsättning"},
		[]string{"Arbetsträning och daglig sysselsättning", "Socialt arbetskooperativ"}, 0.4},
	{"handledning", catHandledning, 10, 0.75, []string{"85599", "70220"}, []string{"88999"},
		[]string{"Handledarna", "Reflektion", "Kompetensstöd", "Socialkonsult", "Utvecklingshuset"},
		[]string{"Handledning och utbildning för socialtjänst", "Konsultverksamhet inom socialt arbete"}, 0},
	{"tolk", catTolk, 20, 0.5, []string{"74300"}, nil,
		[]string{"Tolkservice", "Språkbron", "Tolkcentralen", "Dialog Tolk", "Babel Språktjänst", "Tolk & Översättning"},
		[]string{"Tolk- och översättningstjänster", "Förmedling av tolktjänster"}, 0},
	{"it", catIT, 80, 0.35, []string{"62010", "62020"}, []string{"58290"},
		[]string{"Datalogik", "Kodverket", "IT-Konsult", "Nätverkstan", "Molnbolaget", "Systemhuset", "Bitbyrån", "Pixel & Kod"},
		[]string{"Konsultverksamhet inom IT", "Utveckling och försäljning av programvara", "IT-drift och support"}, 0},
	{"larm", catLarm, 20, 0.5, []string{"80200", "80100"}, nil,
		[]string{"Skånelarm", "Trygglarm", "Säkerhetspartner", "Larmcentralen", "Vaktbolaget"},
		[]string{"Larm- och säkerhetstjänster", "Installation och övervakning av larm"}, 0},
	{"livsmedel", catLivsmedel, 40, 0.35, []string{"46390", "46310"}, nil,
		[]string{"Skånsk Grossist", "Österlen Livs", "Färskvaruhuset", "Storköket", "Matleverantören", "Gårdens Mejeri"},
		[]string{"Partihandel med livsmedel", "Grossistverksamhet inom livsmedel och dryck"}, 0},
	{"konsult", -1, 120, 0, []string{"70220", "69201"}, nil,
		[]string{"Konsult", "Ekonomikonsult", "Affärsutveckling", "Rådgivning"},
		[]string{"Konsultverksamhet", "Redovisning och ekonomisk rådgivning"}, 0},
	{"bygg", -1, 170, 0, []string{"41200", "43320", "43341", "43221"}, nil,
		[]string{"Bygg", "Måleri", "Snickeri", "VVS", "Bygg & Renovering"},
		[]string{"Byggverksamhet", "Måleri- och renoveringsarbeten", "VVS-installationer"}, 0},
	{"restaurang", -1, 90, 0, []string{"56100"}, nil,
		[]string{"Restaurang", "Café", "Pizzeria", "Krog", "Bistro"},
		[]string{"Restaurangverksamhet", "Café och catering"}, 0},
	{"handel", -1, 120, 0, []string{"47190", "47710"}, nil,
		[]string{"Handel", "Butik", "Import", "Trading"},
		[]string{"Detaljhandel", "Import och försäljning av varor"}, 0},
	{"fastighet", -1, 80, 0, []string{"68204", "68201"}, nil,
		[]string{"Fastighets AB", "Förvaltning", "Fastigheter"},
		[]string{"Äga och förvalta fastigheter", "Uthyrning av lokaler"}, 0},
	{"stad", -1, 50, 0, []string{"81210", "81220"}, nil,
		[]string{"Städbolaget", "Rent & Fint", "Fastighetsservice", "Lokalvård", "Fönsterputs"},
		[]string{"Städ- och lokalvård", "Fastighetsskötsel och städning"}, 0},
	{"transport", -1, 60, 0, []string{"49410", "49320"}, nil,
		[]string{"Åkeri", "Transport", "Taxi", "Frakt"},
		[]string{"Godstransporter", "Taxi- och persontransporter"}, 0},
	{"frisor", -1, 40, 0, []string{"96021"}, nil,
		[]string{"Frisörsalong", "Hårstudio", "Salong"},
		[]string{"Frisörverksamhet"}, 0},
	{"halsa", -1, 30, 0, []string{"86230", "86905"}, nil,
		[]string{"Tandvård", "Fysioterapi", "Hälsokliniken"},
		[]string{"Tandvård", "Fysioterapi och rehabilitering"}, 0},
	{"forening", -1, 20, 0, []string{"94990", "93120"}, nil,
		[]string{"Föreningen", "Idrottsföreningen", "Kulturföreningen", "Intresseföreningen"},
		[]string{"Ideell verksamhet", "Idrotts- och fritidsverksamhet"}, 1},
}

// businessFor returns the business index that sells in contract category c.
func businessFor(c int) int {
	for i, b := range businesses {
		if b.cat == c {
			return i
		}
	}
	return busStad // ovrigt: cleaning and facility services
}

var ownerShares = []string{"mer än 75 %", "100 %", "mer än 50 % men högst 75 %"}

const halfShare = "mer än 25 % men högst 50 %"
