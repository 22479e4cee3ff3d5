package event

// ScreenRequest is the request of the pre-award service (vaksam.screen)
// and of POST /api/v1/screen.
type ScreenRequest struct {
	Orgnr    string `json:"orgnr"`
	Purpose  string `json:"purpose"`            // award, calloff or direct
	Category string `json:"category,omitempty"` // a permit category, e.g. hvb_barn
	ValueSEK int64  `json:"value_sek,omitempty"`
	// MaxAge is how old the data may be ("36h", "7d"); older data is
	// fetched fresh within the request's deadline.
	MaxAge string `json:"max_age,omitempty"`
	// Timeout bounds the whole request on the service side ("1500ms");
	// it should be a little below the caller's own request timeout.
	Timeout string `json:"timeout,omitempty"`
}

// ScreenReplySchema is the Vaksam-Schema of a pre-award reply that carries
// an assessment.
const ScreenReplySchema = "vaksam.screen-reply/1"

// The reply of the pre-award service is the assessment as
// `vaksam screen --json` gives it; its verdict field is the answer. Bad
// input is a micro error with code 400 whose description names the field.
