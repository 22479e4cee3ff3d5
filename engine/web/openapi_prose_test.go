package web

import (
	"fmt"
	"strings"
	"testing"
)

// A description in a YAML flow mapping ({type: string, description: A,
// B.}) with an unquoted comma is cut there: YAML reads "A" as the
// description and " B." as a key of its own. Every description is a
// sentence, ending in '.', ')' or '…', and no key is such a remainder.
func TestOpenAPIDescriptionsAreWhole(t *testing.T) {
	_, tree := parseOpenAPI(t)
	descriptions := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if strings.Contains(k, " ") && c == nil {
					t.Errorf("%s: key %q with no value: the rest of a description cut at a comma (quote the description)", at, k)
				}
				if k == "description" {
					descriptions++
					s, ok := c.(string)
					s = strings.TrimSpace(s)
					if !ok || !(strings.HasSuffix(s, ".") || strings.HasSuffix(s, ")") || strings.HasSuffix(s, "…")) {
						t.Errorf("%s/description %q does not end a sentence", at, c)
					}
				}
				walk(c, at+"/"+k)
			}
		case []any:
			for i, c := range x {
				walk(c, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(tree, "#")
	if descriptions < 50 {
		t.Errorf("only %d descriptions found", descriptions)
	}
}
