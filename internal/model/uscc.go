package model

import "strings"

// usccChars are the characters of a unified social credit code (GB 32100-2015)
// in value order 0–30: digits and upper-case letters without I, O, S, V, Z.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights check the 9-character organisation code in positions 9–17
// (GB 11714-1997): 8 characters and a check character 0–9 or X.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// NormalizeUSCC upper-cases a code and strips spaces and full-width forms,
// as codes pasted from documents and spreadsheets often carry them.
func NormalizeUSCC(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r >= 'Ａ' && r <= 'Ｚ':
			r = r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			r = r - 'ａ' + 'A'
		case r >= 'a' && r <= 'z':
			r = r - 'a' + 'A'
		case r == ' ' || r == '\u3000' || r == '\t' || r == '-':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// USCCCheck returns the check character for the first 17 characters of a
// code, or false if they hold a character outside the code's alphabet.
func USCCCheck(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return usccChars[c], true
}

// ValidUSCC reports whether s (already normalised) is a well-formed code
// whose check character and organisation-code check both hold.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	c, ok := USCCCheck(s[:17])
	if !ok || c != s[17] {
		return false
	}
	return validOrgCode(s[8:17])
}

func validOrgCode(s string) bool {
	sum := 0
	for i := 0; i < 8; i++ {
		// Organisation codes use digits and upper-case letters (A=10 … Z=35).
		var v int
		switch ch := s[i]; {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return false
		}
		sum += v * orgCodeWeights[i]
	}
	c := 11 - sum%11
	var want byte
	switch c {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + c)
	}
	return s[8] == want
}

// BuildUSCC completes a code from its first 8 characters (registration
// authority, organisation type, division code) and the first 8 characters
// of the organisation code by adding both check characters.
func BuildUSCC(head8, org8 string) (string, bool) {
	if len(head8) != 8 || len(org8) != 8 {
		return "", false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		ch := org8[i]
		if strings.IndexByte(usccChars, ch) < 0 {
			return "", false
		}
		v := int(ch - '0')
		if ch >= 'A' {
			v = int(ch-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	var oc byte
	switch c := 11 - sum%11; c {
	case 10:
		oc = 'X'
	case 11:
		oc = '0'
	default:
		oc = byte('0' + c)
	}
	first17 := head8 + org8 + string(oc)
	check, ok := USCCCheck(first17)
	if !ok {
		return "", false
	}
	return first17 + string(check), true
}
