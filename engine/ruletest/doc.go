// Package ruletest runs rule tests: YAML files beside a rule pack
// (*_test.yaml) that give input records in the sources' real formats, an
// evaluation time and the hits expected, like `promtool test rules`. Each
// test ingests its records through the real parsers into a fresh store and
// screens the organisation with the pack, so a rule test exercises the
// whole path a production screening takes.
//
//	pack: default             # optional: test against this pack's rules only
//	fixtures:                 # named record sets tests can reuse
//	  complete: [{source: scb, data: '...'}]
//	tests:
//	  - name: S04 fires on a tax debt
//	    at: 2026-11-21        # YYYY-MM-DD (end of day, Swedish time) or RFC 3339
//	    orgnr: "5591234561"
//	    use: [complete]
//	    records:
//	      - source: kronofogden
//	        observed: 2026-11-20   # default: the day before at
//	        data: |
//	          {"orgnr":"5591234561", ...}
//	    rules: [S04]          # the rules under test; default: those in expect
//	    expect: [S04]         # exactly these of the rules under test fire; [] = none may
//	    not_checked: []       # optional: exactly these rules are not checked
//	    incomplete: false     # optional
//	    messages:             # optional: hits' messages, each language given compared whole
//	      S04: {sv: "3 allmänna mål, 184\u00a0500\u00a0kr (per 2 november 2026)"}  # \u00a0: no-break space
package ruletest
