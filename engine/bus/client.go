package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/sign"
)

// Refused is the pre-award service's refusal of a request, as the caller
// of AskScreen sees it: the code and description of its reply, and the
// field of the request it is about ("" when none: a 404, 503 or 500).
type Refused struct {
	Code, Description, RequestID string
	Field                        string
}

func (e *Refused) Error() string {
	return fmt.Sprintf("%s %s (request id %s)", e.Code, e.Description, e.RequestID)
}

// BadRequest reports whether the request itself was refused (400).
func (e *Refused) BadRequest() bool {
	n, _ := strconv.Atoi(e.Code)
	return n == 400
}

// AskScreen asks the pre-award service (vaksam.screen) over nc for a
// check, as an ordering or procurement system would, under the request id
// id (header Vaksam-Request-Id), waiting at most timeout; the service is
// given a little less, so that it answers with what it knows rather than
// not at all. The reply must be signed by Vaksam for this request with
// one of keys: one that does not verify is an error, never an answer.
// It returns the assessment and the id of the key that signed it; a
// refusal is a *Refused.
func AskScreen(ctx context.Context, nc *nats.Conn, keys *sign.Keys, req event.ScreenRequest, id string, timeout time.Duration) (*screening.Assessment, string, error) {
	req.Timeout = (timeout * 9 / 10).String()
	body, err := json.Marshal(req)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := &nats.Msg{Subject: event.ScreenSubject, Data: body, Header: nats.Header{RequestIDHeader: []string{id}}}
	msg, err := nc.RequestMsgWithContext(ctx, out)
	if err != nil {
		return nil, "", fmt.Errorf("%s (request id %s): %w", event.ScreenSubject, id, err)
	}
	keyID, err := keys.VerifyReply(id, msg.Header, msg.Data)
	if err != nil {
		return nil, "", fmt.Errorf("the reply (request id %s) is NOT Vaksam's answer, not acted on: %w", id, err)
	}
	if code := msg.Header.Get(micro.ErrorCodeHeader); code != "" {
		ref := &Refused{Code: code, Description: msg.Header.Get(micro.ErrorHeader), RequestID: id}
		var body event.ScreenError
		if msg.Header.Get(event.HeaderSchema) == event.ScreenErrorSchema && json.Unmarshal(msg.Data, &body) == nil {
			ref.Field = body.Field
		}
		return nil, keyID, ref
	}
	var x screening.Assessment
	if err := json.Unmarshal(msg.Data, &x); err != nil {
		return nil, keyID, fmt.Errorf("reply (request id %s): %w", id, err)
	}
	return &x, keyID, nil
}
