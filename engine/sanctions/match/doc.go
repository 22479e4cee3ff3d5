// Package match is the name matcher of sanctions screening (S18): it finds
// the listed entities (sanctions.Entity) a supplier or a representative may
// be, and says why.
//
// Names are folded before they are compared: other scripts are
// transliterated to Latin letters and diacritics dropped
// (github.com/mozillazg/go-unidecode: Cyrillic, Arabic, Greek and the
// rest), case folded, punctuation dropped (the dots of abbreviations join:
// "S.A." is "sa"); organisations lose their legal
// forms (AB, Aktiebolag, HB, LLC, Ltd, OOO/ООО, GmbH, SA…, the table in
// normalise.go), so "Rosneft OOO" is "ROSNEFT". The Arabic article written
// apart ("Al-Zahrani") is joined to its word, as Arabic script writes it.
//
// Candidates come from an index, never a scan of every name: each name
// token is filed under blocking keys (the token, its consonant skeleton,
// the skeleton less one consonant, its first four letters; see nameKeys
// and queryKeys), and a query scores at most the 64 names sharing the best
// keys with it (per query token, the token itself counts 3, the skeleton 2,
// the rest 1). The skeleton (consonants, doubled letters
// collapsed, h and w dropped) carries vowel misspellings and the vowel-less
// transliterations of Arabic ("mHmd" and "Mohammed" are both "mmd"). A consonant dropped from a
// short name (three consonants or fewer) may escape the keys: about 1% of
// the misspellings of the synthetic benchmark list.
//
// Tokens are aligned in any order, by the best assignment (exhaustive over
// the few tokens a name has, greedy beyond), and compared by Jaro-Winkler
// (github.com/adrg/strutil). Two tokens below 0.8 are different names.
// Short tokens (under four letters) must be equal, or equal in consonants
// when one of them has no vowels: Jaro-Winkler scores "Ali" and "Alm" 0.82,
// so one letter in three would otherwise pass as a misspelling (the short
// name over-scored), while an exact short token counts in full (not
// under-scored). The name score is the aligned similarity weighted by the
// tokens' lengths, over the query's tokens, the matched name tokens and 0.3
// of the name tokens the query lacks (a patronymic or middle name the query
// leaves out costs a little, a query token the name lacks costs in full).
//
// Features then move the score, each recorded in the Explanation with its
// effect: a weak alias multiplies it by 0.8; a birth year within the
// list's years (±1) moves it half-way to 1 when every part of the query's
// name found a counterpart (it corroborates a name, it does not stand in
// for a part that did not match), outside them multiplies it by
// 0.8 (so an exact name of someone born in another year stays under a
// threshold of 0.85); a nationality agreeing moves it a fifth of the way to
// 1, disagreeing multiplies it by 0.95. An identifier (registration number,
// organisation number, passport) equal after NormaliseIdentifier is a match
// of kind "identifier" with score 1, whatever the names say.
//
// The threshold is the caller's, passed to Search.
//
// Speed: BenchmarkSearch searches 60 000 synthetic names (Latin, Cyrillic
// and Arabic-origin persons with aliases, organisations with legal forms)
// with misspelled, reordered and unlisted queries, and reports the
// per-query p50 and p99:
//
//	go test -run '^$' -bench Search -benchtime 20000x ./engine/sanctions/match/
//
// On the 2-core development machine, shared with other work: p50 about
// 0.12 ms, p99 about 0.26 ms.//
// Quality: TestEvaluation runs 279 labelled queries (testdata/eval.jsonl;
// testdata/README.md says where each list and name came from) at the
// threshold 0.85 against the real list samples and 22 public sanctioned
// entities: 171 listed names misspelled, reordered, transliterated
// (Cyrillic and Arabic to Latin in several spellings), in their own script
// and with legal forms; 108 that must not match (SCB's most common Swedish
// names, with and without birth years, Swedish company names, names sharing
// a first name or surname with a listed person, listed names with another
// birth year). It logs every miss and false positive:
//
//	go test -run TestEvaluation -v ./engine/sanctions/match/
//
// Recall is 0.98 (168/171: "Sergej Sjojgu" 0.74, "Bachar el-Assad" 0.76,
// the bare "Almaz-Antey" 0.82 miss); precision 1.00 over the lists alone
// and 0.875 (168/192) with the benchmark's 20 000 synthetic names added as
// decoys (0.85 before a birth year stopped lifting a name with an
// unmatched part). The decoys' false positives are names whose token is a prefix of
// a long synthetic token ("Peter Lindberg" and "Peter LINDBERMONT" 0.94:
// Jaro-Winkler rewards the shared prefix), "Rosneft" against synthetic
// organisations named Rosneft-something.
//
// Re-screening after a list update: BenchmarkRescreen searches 1 000 000
// representatives (common Swedish names, 400 foreign) against an index of
// the 200 changed entities only (341 names):
//
//	go test -run '^$' -bench Rescreen -benchtime 1x ./engine/sanctions/match/
//
// On the 2-core machine, shared with a CI run: 11 to 20 s on 2 workers
// (11 to 20 µs a name; two thirds of it scoring, align and Jaro-Winkler's
// rune conversions, as the blocking passes most of a small index's names
// sharing a prefix or skeleton); 67 representatives reach the threshold,
// nearly all on synthetic names with a Swedish-looking prefix ("Sofia
// Pettersson" and "Sofia PETERSENKOICH" 0.94). BenchmarkSearch measured
// at the same time (20000x, three runs): p50 0.12 ms, p99 0.54 to 1.05 ms.
package match
