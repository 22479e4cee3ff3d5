package service

import (
	"flag"
	"slices"
	"testing"
)

// SplitFlags reads flags as the flag package does, wherever they are.
func TestSplitFlags(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.String("data", "", "")
	fs.Bool("json", false, "")
	for _, tc := range []struct {
		args              []string
		flags, positional []string
	}{
		{[]string{"5591234561", "--data", "x"}, []string{"--data", "x"}, []string{"5591234561"}},
		{[]string{"--data", "x", "5591234561"}, []string{"--data", "x"}, []string{"5591234561"}},
		{[]string{"a", "-data=x", "b", "--json", "c"}, []string{"-data=x", "--json"}, []string{"a", "b", "c"}},
		{[]string{"--json", "a"}, []string{"--json"}, []string{"a"}}, // a boolean takes no value
		{[]string{"--json=false", "a"}, []string{"--json=false"}, []string{"a"}},
		{[]string{"--data", "-", "a"}, []string{"--data", "-"}, []string{"a"}},  // a value may start with -
		{[]string{"a", "-", "b"}, nil, []string{"a", "-", "b"}},                 // - alone is an argument
		{[]string{"a", "--", "--data", "x"}, nil, []string{"a", "--data", "x"}}, // -- ends the flags
		{[]string{"--dta", "x", "a"}, []string{"--dta"}, []string{"x", "a"}},    // unknown: left to fs.Parse
		{[]string{"a", "--data"}, []string{"--data"}, []string{"a"}},            // no value: left to fs.Parse
	} {
		flags, positional := SplitFlags(fs, tc.args)
		if !slices.Equal(flags, tc.flags) || !slices.Equal(positional, tc.positional) {
			t.Errorf("%q: flags %q, positional %q; want %q, %q", tc.args, flags, positional, tc.flags, tc.positional)
		}
	}
}
