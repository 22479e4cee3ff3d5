package web

// The strings of the footer and the accessibility statement (ui_a11y.go).
var uiTextA11y = map[string]msg{
	"ev.caption":       {"Registeruppgifter som träffen bygger på", "The records the hit rests on"},
	"footer.label":     {"Sidfot", "Footer"},
	"footer.contact":   {"Kontakt: %s", "Contact: %s"},
	"footer.statement": {"Tillgänglighetsredogörelse", "Accessibility statement"},

	"a11y.title": {"Tillgänglighetsredogörelse för Vaksam", "Accessibility statement for Vaksam"},
	"a11y.intro": {"Kommunen står bakom Vaksam och vill att alla som arbetar i tjänsten ska kunna använda den. Här beskrivs hur Vaksam uppfyller lagen (2018:1937) om tillgänglighet till digital offentlig service, kända brister och hur du kan rapportera problem.",
		"The municipality is responsible for Vaksam and wants everyone who works with it to be able to use it. This statement describes how Vaksam complies with the Swedish act on accessibility of digital public services (2018:1937), known shortcomings and how to report problems."},
	"a11y.status.h": {"Hur tillgänglig är tjänsten?", "How accessible is the service?"},
	"a11y.status": {"Vaksam är utformad för att uppfylla WCAG 2.1 på nivå AA (den harmoniserade standarden EN 301 549). Sidorna går att använda med enbart tangentbord och på en mobil i stående läge utan att sidan behöver rullas i sidled. Ingenting berättas enbart med färg.",
		"Vaksam is designed to meet WCAG 2.1 level AA (the harmonised standard EN 301 549). The pages can be used with a keyboard alone and on a phone held upright without scrolling sideways. Nothing is told by colour alone."},
	"a11y.gaps.h": {"Kända brister", "Known shortcomings"},
	"a11y.gaps": {"Det utskrivna beslutsunderlaget (PDF) är inte granskat för tillgänglighet; samma uppgifter finns på sidan i webbläsaren. Rådata från registren visas som de levererades och kan innehålla förkortningar och koder på originalspråket.",
		"The printed decision basis (PDF) has not been reviewed for accessibility; the same content is on its page in the browser. Raw register data is shown as delivered and may contain abbreviations and codes in their original language."},
	"a11y.report.h":      {"Rapportera brister", "Report a problem"},
	"a11y.report":        {"Om du upptäcker problem som inte beskrivs här, eller behöver innehåll i ett annat format, kontakta oss:", "If you find a problem not described here, or need content in another format, contact us:"},
	"a11y.report.nobody": {"Om du upptäcker problem som inte beskrivs här, eller behöver innehåll i ett annat format, kontakta den förvaltning som ansvarar för Vaksam i din kommun.", "If you find a problem not described here, or need content in another format, contact the department responsible for Vaksam in your municipality."},
	"a11y.digg.h":        {"Tillsyn", "Enforcement"},
	"a11y.digg": {"Myndigheten för digital förvaltning (Digg) har ansvar för tillsyn över lagen. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du anmäla det till Digg.",
		"The Agency for Digital Government (Digg) supervises the act. If you are not satisfied with how we handle your comments, you can report it to Digg."},
	"a11y.digg.link": {"Anmäl bristande tillgänglighet till Digg", "Report lacking accessibility to Digg"},
	"a11y.test.h":    {"Hur vi testat tjänsten", "How we tested the service"},
	"a11y.test": {"Varje version testas automatiskt i en webbläsare med verktyget axe-core mot WCAG 2.1 A och AA, på varje sida i handläggningens flöde, både i 1280 och 390 pixlars bredd (mobil). Automatiska test hittar inte alla brister: berätta för oss om det du stöter på.",
		"Every version is tested automatically in a browser with the axe-core tool against WCAG 2.1 A and AA, on every page of the case work, at widths of 1280 and 390 pixels (phone). Automated tests do not find every problem: tell us about the ones you meet."},
}
