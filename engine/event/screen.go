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

// ScreenErrorSchema is the Vaksam-Schema of a pre-award refusal that
// carries a ScreenError (400, 503, 500).
const ScreenErrorSchema = "vaksam.screen-error/1"

// ScreenError is the body of a refusal of the pre-award service, shaped
// as the HTTP API's error answers: Error says what is wrong in plain
// words, starting with the field when there is one ("orgnr: ..."); Field
// names the request's field (a JSON field path, or "body" for the
// request as a whole), absent when the refusal is not about the input.
// The micro error headers carry the code and the same Error.
type ScreenError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// The reply of the pre-award service is the assessment as
// `vaksam screen --json` gives it; its verdict field is the answer. A
// refusal is a micro error (Nats-Service-Error-Code, Nats-Service-Error)
// whose body is a ScreenError; a 404 carries the assessment instead.
