package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
)

// functions are the helpers rule expressions may call besides expr's
// builtins. Dates are calendar dates; months count whole calendar months.
var functions = []expr.Option{
	expr.Function("monthsBetween", func(a ...any) (any, error) {
		from, to := a[0].(time.Time), a[1].(time.Time)
		return monthsBetween(from, to), nil
	}, new(func(time.Time, time.Time) int)),
	expr.Function("daysBetween", func(a ...any) (any, error) {
		from, to := a[0].(time.Time), a[1].(time.Time)
		return int(dateOf(to).Sub(dateOf(from)).Hours() / 24), nil
	}, new(func(time.Time, time.Time) int)),
	expr.Function("addMonths", func(a ...any) (any, error) {
		n, err := whole(a[1])
		return addMonths(a[0].(time.Time), n), err
	}, new(func(time.Time, int) time.Time), new(func(time.Time, float64) time.Time)),
	expr.Function("addDays", func(a ...any) (any, error) {
		n, err := whole(a[1])
		return a[0].(time.Time).AddDate(0, 0, n), err
	}, new(func(time.Time, int) time.Time), new(func(time.Time, float64) time.Time)),
	expr.Function("hasPrefixAny", func(a ...any) (any, error) {
		for _, s := range a[0].([]string) {
			for _, p := range a[1].([]string) {
				if strings.HasPrefix(s, p) {
					return true, nil
				}
			}
		}
		return false, nil
	}, new(func([]string, []string) bool)),
	expr.Function("plural", func(a ...any) (any, error) {
		n, ok := a[0].(int)
		f := float64(n)
		if !ok {
			f = a[0].(float64)
		}
		word := a[2].(string)
		if f == 1 {
			word = a[1].(string)
		}
		return format(f) + " " + word, nil
	}, new(func(int, string, string) string), new(func(float64, string, string) string)),
	expr.Function("ymd", func(a ...any) (any, error) {
		t := a[0].(time.Time)
		if t.IsZero() {
			return "okänt datum", nil
		}
		return t.Format(time.DateOnly), nil
	}, new(func(time.Time) string)),
}

// Message languages: a message's templates are compiled once for each.
const (
	langSV = 0
	langEN = 1
)

// messageFunctions are the functions only a message may call, which
// speak its language: dateText(t), a day as Swedish authorities write it in
// running text ("23 oktober 2026"; "23 October 2026" in English), and
// term(list, code), a code in words from the pack's terms (the code
// itself when the list has no word for it), and sek(n), an amount in
// whole kronor ("184 500 kr", "SEK 184,500").
func messageFunctions(lang int, terms map[string]map[string]Text) []expr.Option {
	return []expr.Option{
		expr.Function("dateText", func(a ...any) (any, error) {
			return longDate(a[0].(time.Time), lang), nil
		}, new(func(time.Time) string)),
		expr.Function("sek", func(a ...any) (any, error) {
			return sekText(a[0], lang), nil
		}, new(func(int) string), new(func(int64) string), new(func(float64) string)),
		expr.Function("term", func(a ...any) (any, error) {
			name, code := a[0].(string), a[1].(string)
			t, ok := terms[name][code]
			switch {
			case !ok:
				return code, nil
			case lang == langEN:
				return t.EN, nil
			}
			return t.SV, nil
		}, new(func(string, string) string)),
	}
}

// messageOnly names the functions of messageFunctions.
var messageOnly = []string{"dateText", "sek", "term"}

var monthsSV = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

// longDate is a calendar day in words: "23 oktober 2026", "23 October 2026".
func longDate(t time.Time, lang int) string {
	switch {
	case t.IsZero() && lang == langEN:
		return "unknown date"
	case t.IsZero():
		return "okänt datum"
	case lang == langEN:
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthsSV[t.Month()-1], t.Year())
}

// sekText is an amount in whole kronor as the language writes it: in
// Swedish digits grouped by a no-break space from five digits on
// ("4500 kr", "184 500 kr"), in English by commas ("SEK 184,500").
func sekText(v any, lang int) string {
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case float64:
		f = n
	}
	n := int64(math.Round(math.Abs(f)))
	digits := strconv.FormatInt(n, 10)
	sep := ","
	if lang == langSV {
		sep = "\u00a0"
	}
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 && (lang == langEN || len(digits) > 4) {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	sign := ""
	if f <= -0.5 {
		sign = "-"
		if lang == langSV {
			sign = "−"
		}
	}
	if lang == langEN {
		return "SEK " + sign + b.String()
	}
	return sign + b.String() + "\u00a0kr"
}

func whole(v any) (int, error) {
	switch n := v.(type) {
	case int:
		return n, nil
	case float64:
		if n != float64(int(n)) {
			return 0, fmt.Errorf("%v is not a whole number", n)
		}
		return int(n), nil
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// monthsBetween counts the whole calendar months from a to b (negative when
// b is before a).
func monthsBetween(a, b time.Time) int {
	if b.Before(a) {
		return -monthsBetween(b, a)
	}
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return m
}

// addMonths adds calendar months, keeping the day but never passing the
// end of the month: 31 July + 7 months is 28 (or 29) February, not 3 March.
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month(), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	d := t.Day()
	if d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}
