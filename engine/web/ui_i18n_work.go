package web

// The texts of the work on alerts: statuses, deadlines and the queue's
// bulk form (issue 15, item 2).
var uiTextWork = map[string]msg{
	"work.stangd":             {"Stängt", "Closed"},
	"work.vantar_godkannande": {"Beslut väntar på godkännande", "Decision awaiting approval"},
	"work.avropsstopp":        {"Avropsstopp gäller", "Call-offs halted"},
	"work.beslutad":           {"Beslutat", "Decided"},
	"work.utreds":             {"Utreds", "Under investigation"},
	"work.ny":                 {"Nytt", "New"},
	"work.halted":             {"Avropsstopp beslutat", "Halt of call-offs decided"},
	"work.pastdue":            {"Försenat", "Past due"},
	"work.due":                {"Senast %s", "Due %s"},

	"col.due":          {"Senast", "Due"},
	"col.select":       {"Välj", "Select"},
	"queue.pastdue":    {"Bara försenade", "Past due only"},
	"queue.pastduen":   {"Försenade larm: %d", "Alerts past due: %d"},
	"alert.due":        {"Handläggs senast", "Due"},
	"alert.nodue":      {"Ingen tidsfrist löper", "No deadline running"},
	"act.assignchoose": {"Välj handläggare", "Choose an assignee"},

	"bulk.title":                   {"Ändra flera larm", "Change several alerts"},
	"bulk.help":                    {"Kryssa i larmen i tabellen, välj åtgärd och skriv en motivering som gäller dem alla. Avropsstopp, hävning och uteslutning beslutas ett larm i taget på larmets sida.", "Tick the alerts in the table, choose an action and write one justification for them all. Halting call-offs, termination and exclusion are decided one alert at a time on the alert's page."},
	"bulk.action":                  {"Åtgärd", "Action"},
	"bulk.action.assign":           {"Tilldela handläggare", "Assign"},
	"bulk.action.snooze":           {"Ingen åtgärd – vila tills nya uppgifter", "No action – snooze until new evidence"},
	"bulk.action.close":            {"Stäng utan beslut", "Close without a decision"},
	"bulk.assignee":                {"Handläggare (vid tilldelning)", "Assignee (to assign)"},
	"bulk.snoozeuntil":             {"Vila till (valfritt, vid vila)", "Snooze until (optional, to snooze)"},
	"bulk.justification":           {"Motivering", "Justification"},
	"bulk.submit":                  {"Utför på valda larm", "Apply to the selected alerts"},
	"bulk.select":                  {"Välj larmet för %s", "Select the alert of %s"},
	"bulk.result":                  {"%d larm ändrades och %d ändrades inte:", "%d alerts were changed and %d were not:"},
	"bulk.refused.awaits_approval": {"ett beslut väntar på godkännande", "a decision awaits approval"},
	"bulk.refused.halt_in_force":   {"avropsstopp gäller – häv det först", "a halt is in force – lift it first"},
	"bulk.refused.invalid_state":   {"larmet går inte att ändra i sitt nuvarande läge", "the alert cannot be changed in its current state"},
	"bulk.refused.not_found":       {"larmet finns inte", "no such alert"},
	"bulk.refused.other":           {"ändringen avböjdes", "the change was refused"},
	"bulk.bad.action":              {"Välj en åtgärd.", "Choose an action."},
	"bulk.bad.alerts":              {"Välj minst ett larm i tabellen (högst 100).", "Select at least one alert in the table (at most 100)."},
	"bulk.bad.justification":       {"Skriv en motivering (högst 4000 tecken).", "Write a justification (at most 4000 characters)."},
	"bulk.bad.assignee":            {"Välj en handläggare som arbetar med larm.", "Choose an assignee who works alerts."},
	"bulk.bad.snooze_until":        {"Ange ett datum efter i dag, eller inget.", "Give a date after today, or none."},
	"ok.bulk":                      {"De valda larmen ändrades.", "The selected alerts were changed."},
}

func init() {
	for k, m := range uiTextWork {
		if _, dup := uiText[k]; dup {
			panic("web: ui text " + k + " twice")
		}
		uiText[k] = m
	}
}
