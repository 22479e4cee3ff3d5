package strictjson_test

import (
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/strictjson"
)

// Problem words every Decode error in JSON's terms, naming the field.
func TestProblem(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type request struct {
		Name  string   `json:"name"`
		Value int64    `json:"value"`
		Rate  float64  `json:"rate"`
		OK    bool     `json:"ok"`
		Tags  []string `json:"tags"`
		Inner inner    `json:"inner"`
	}
	for _, tt := range []struct {
		name, in, field, msg string
	}{
		{"syntax", `{"name":`, "", "not valid JSON"},
		{"garbage", `name=x`, "", "not valid JSON at byte 2: invalid character"},
		{"trailing", `{} {}`, "", "more after the JSON object"},
		{"array", `[1]`, "", "must be a JSON object, not an array"},
		{"string", `"x"`, "", "must be a JSON object, not a string"},
		{"number", `7`, "", "must be a JSON object, not a number"},
		{"string for integer", `{"value":"7"}`, "value", "must be an integer, not a string"},
		{"fraction for integer", `{"value":1.5}`, "value", "must be an integer, not a number"},
		{"number for string", `{"name":7}`, "name", "must be a string, not a number"},
		{"string for number", `{"rate":"x"}`, "rate", "must be a number, not a string"},
		{"string for bool", `{"ok":"yes"}`, "ok", "must be true or false, not a string"},
		{"object for array", `{"tags":{}}`, "tags", "must be an array, not an object"},
		{"bool for object", `{"inner":true}`, "inner", "must be an object, not true or false"},
		{"nested", `{"inner":{"n":"1"}}`, "inner.n", "must be an integer, not a string"},
		{"unknown", `{"nme":"x"}`, "nme", "unknown field"},
		{"twice", `{"name":"a","name":"b"}`, "name", "given twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var v request
			err := strictjson.Decode([]byte(tt.in), &v)
			if err == nil {
				t.Fatalf("Decode(%s) accepted", tt.in)
			}
			field, msg := strictjson.Problem(err)
			if field != tt.field || !strings.HasPrefix(msg, tt.msg) {
				t.Errorf("Problem(%v) = %q, %q; want %q, %q…", err, field, msg, tt.field, tt.msg)
			}
			if strings.Contains(msg, "strictjson_test.") || strings.Contains(msg, "int64") || strings.Contains(msg, "float64") {
				t.Errorf("message %q names Go types", msg)
			}
		})
	}
}
