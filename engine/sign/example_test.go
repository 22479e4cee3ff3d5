package sign_test

import (
	"fmt"
	"maps"

	"github.com/nats-io/nats.go"

	"github.com/vaksam/vaksam/engine/sign"
)

// A consumer of Vaksam's actions verifies each message before it acts on
// it, with the public keys of its own configuration. Here a real halt, as
// Vaksam published it, and three forgeries made from it by someone who can
// publish on the broker: the payload copied under a new message id, the
// real signature put on another subject, and the payload sent unsigned.
func ExampleKeys_Verify() {
	// The public key Vaksam's operators gave out (`vaksam config
	// signing-key` prints it). Never take it from the broker: whoever
	// forges a message there can forge that too. This one is the test
	// key of RFC 8032; the streams' messages are signed with yours.
	keys, err := sign.ParseKeys("ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	if err != nil {
		panic(err)
	}

	real := &nats.Msg{
		Subject: "vaksam.action.halt.5591234561",
		Header: nats.Header{
			"Nats-Msg-Id":      {"action.5591234561-1-d1"},
			"Vaksam-Schema":    {"vaksam.action/1"},
			"Vaksam-Org-Seq":   {"7"},
			"Vaksam-Key-Id":    {"21fe31dfa154a261"},
			"Vaksam-Signature": {"kZMj3LLQ643gTK/V3ZNr5w9jfSNi11l00uEof+FYfwUN36v7iLDVtqgGHf5igGz/TYw5I2LQG0uEsBbkuMAICA=="},
		},
		Data: []byte(`{"action_id":"5591234561-1-d1","kind":"halt","orgnr":"5591234561","name":"Omsorgshuset Norr AB",` +
			`"at":"2026-11-22T09:30:00Z","decided_by":"karin.lund","ground":"LOU 13:1","contracts":["ASN-2024-1001","HVB-2025-0007"]}`),
	}
	newID := &nats.Msg{Subject: real.Subject, Header: maps.Clone(real.Header), Data: real.Data}
	newID.Header.Set("Nats-Msg-Id", "action.5591234561-1-d9")
	otherSubject := &nats.Msg{Subject: "vaksam.action.terminate.5591234561", Header: real.Header, Data: real.Data}
	unsigned := &nats.Msg{Subject: real.Subject, Header: nats.Header{"Vaksam-Schema": {"vaksam.action/1"}}, Data: real.Data}

	for _, m := range []*nats.Msg{real, newID, otherSubject, unsigned} {
		// Every message, before anything else is read from it.
		keyID, err := keys.Verify(m.Subject, m.Header, m.Data)
		if err != nil {
			// Not Vaksam's (errors.Is tells sign.ErrUnsigned,
			// sign.ErrUnknownKey and sign.ErrInvalid apart): never apply
			// it; log it loudly and Term it.
			fmt.Printf("%s %s: NOT from Vaksam: %v\n", m.Subject, m.Header.Get("Nats-Msg-Id"), err)
			continue
		}
		fmt.Printf("%s %s: signed by key %s\n", m.Subject, m.Header.Get("Nats-Msg-Id"), keyID)
	}
	// Output:
	// vaksam.action.halt.5591234561 action.5591234561-1-d1: signed by key 21fe31dfa154a261
	// vaksam.action.halt.5591234561 action.5591234561-1-d9: NOT from Vaksam: signature does not verify: key 21fe31dfa154a261, subject vaksam.action.halt.5591234561
	// vaksam.action.terminate.5591234561 action.5591234561-1-d1: NOT from Vaksam: signature does not verify: key 21fe31dfa154a261, subject vaksam.action.terminate.5591234561
	// vaksam.action.halt.5591234561 : NOT from Vaksam: not signed: no Vaksam-Signature header
}
