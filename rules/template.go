package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
)

// template is a message with {{ expression }} parts, rendered with the
// values that made the rule fire.
type template struct {
	text  []string      // len(parts)+1 literal pieces
	parts []*vm.Program // expressions between them
	srcs  []string
}

func parseTemplate(s string, compile func(string) (*vm.Program, error)) (template, error) {
	var t template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			t.text = append(t.text, s)
			return t, nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return t, fmt.Errorf("unclosed {{ at %q", s[i:])
		}
		src := strings.TrimSpace(s[i+2 : i+j])
		prog, err := compile(src)
		if err != nil {
			return t, fmt.Errorf("{{ %s }}: %s", src, firstLine(err))
		}
		t.text = append(t.text, s[:i])
		t.parts = append(t.parts, prog)
		t.srcs = append(t.srcs, src)
		s = s[i+j+2:]
	}
}

func (t template) render(machine *vm.VM, env *Env) (string, error) {
	var b strings.Builder
	for i, lit := range t.text {
		b.WriteString(lit)
		if i >= len(t.parts) {
			break
		}
		v, err := machine.Run(t.parts[i], env)
		if err != nil {
			return "", fmt.Errorf("{{ %s }}: %w", t.srcs[i], err)
		}
		b.WriteString(format(v))
	}
	return b.String(), nil
}

// format prints a value the way a coordinator reads it: dates as
// YYYY-MM-DD, whole numbers without decimals, lists comma-separated.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.IsZero() {
			return "–"
		}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.Format("2006-01-02 15:04")
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', 1, 64)
	case []string:
		return strings.Join(x, ", ")
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = format(e)
		}
		return strings.Join(s, ", ")
	case string:
		return x
	}
	return fmt.Sprint(v)
}
