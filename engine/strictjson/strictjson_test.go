package strictjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type request struct {
	Purpose string `json:"purpose"`
	Rows    []struct {
		Name string `json:"name"`
	} `json:"rows"`
	Extra map[string]int `json:"extra"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// want: "" accepted; else a substring of the error.
		want string
		// dup: the duplicate's field, when the error is one.
		dup string
	}{
		{"plain", `{"purpose":"award","rows":[{"name":"a"},{"name":"b"}]}`, "", ""},
		{"same name in sibling objects", `{"rows":[{"name":"a"},{"name":"a"}]}`, "", ""},
		{"same name at two depths", `{"purpose":"x","extra":{"purpose":1}}`, "", ""},
		{"top-level duplicate", `{"purpose":"award","purpose":"direct"}`, "purpose given twice", "purpose"},
		{"nested duplicate", `{"rows":[{"name":"a"},{"name":"b","name":"c"}]}`, "rows[1].name given twice", "rows[1].name"},
		{"duplicate in a map", `{"extra":{"k":1,"k":2}}`, "extra.k given twice", "extra.k"},
		{"duplicate by escape", `{"purpose":"award","p\u0075rpose":"direct"}`, "purpose given twice", "purpose"},
		{"long duplicate name is cut", `{"extra":{"` + strings.Repeat("k", 1000) + `":1,"` + strings.Repeat("k", 1000) + `":2}}`, "… (1000 bytes) given twice", ""},
		{"unknown field", `{"purpose":"award","x":1}`, `unknown field "x"`, ""},
		{"trailing data", `{"purpose":"award"} {}`, "trailing data", ""},
		{"syntax error", `{"purpose":}`, "invalid character", ""},
		{"invalid UTF-8 is encoding/json's to replace", "{\"purpose\":\"a\xffb\"}", "", ""},
		{"lone surrogate escape", `{"purpose":"\ud800"}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v request
			err := Decode([]byte(tt.in), &v)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode error = %v, want it to contain %q", err, tt.want)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error of %d bytes quotes too much: %.300s", len(err.Error()), err)
			}
			var de *DuplicateError
			if errors.As(err, &de) != (strings.Contains(tt.want, "given twice")) {
				t.Errorf("error %v: *DuplicateError %v", err, errors.As(err, &de))
			}
			if de != nil && tt.dup != "" && de.Field() != tt.dup {
				t.Errorf("Field() = %q, want %q", de.Field(), tt.dup)
			}
		})
	}
}

func TestUnknownField(t *testing.T) {
	long := strings.Repeat("z", 5000)
	var v request
	err := Decode([]byte(`{"`+long+`":1}`), &v)
	if name, ok := UnknownField(err); !ok || name != long {
		t.Errorf("UnknownField(%.60v) = %.20q, %v", err, name, ok)
	}
	if _, ok := UnknownField(ErrTrailing); ok {
		t.Error("UnknownField(ErrTrailing) is ok")
	}
}

// encoding/json, the decoder underneath, keeps the last of two names:
// what Decode refuses.
func TestEncodingJSONKeepsTheLast(t *testing.T) {
	var v request
	if err := json.Unmarshal([]byte(`{"purpose":"award","purpose":"direct"}`), &v); err != nil || v.Purpose != "direct" {
		t.Fatalf("encoding/json: %v, purpose %q", err, v.Purpose)
	}
}

func BenchmarkCheckNames(b *testing.B) {
	line := []byte(`{"orgnr":"5591234561","roll":"styrelseledamot","personnummer":"196001011235","namn":"Anna Andersson","fran":"2019-04-02","till":null,"kalla":"bolagsverket"}`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckNames(line); err != nil {
			b.Fatal(err)
		}
	}
}
