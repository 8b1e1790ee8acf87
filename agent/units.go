package agent

import "strings"

// GramsPerUnit is an exact number of grams per unit, as the fraction
// Num/Den (a pound is 45359237/100000 g).
type GramsPerUnit struct {
	Num, Den int64
}

// weightUnits are the weight units a catalogue entry may have, in the
// spellings accepted (compared after trimming and lower-casing).
var weightUnits = map[string]GramsPerUnit{
	"g": {1, 1}, "克": {1, 1},
	"kg": {1000, 1}, "千克": {1000, 1}, "公斤": {1000, 1},
	"斤": {500, 1}, // 市斤, exactly 500 g
	"两": {50, 1},  // 市两, exactly 50 g
	"t": {1000000, 1}, "吨": {1000000, 1},
	"lb": {45359237, 100000},  // exactly 453.59237 g
	"oz": {45359237, 1600000}, // 1/16 lb
}

// WeightUnit says whether unit, a catalogue entry's Unit or a scale's
// unit, is a unit of weight, and how many grams one of it is. A SKU whose
// Unit is a weight unit is sold by weight: its quantities (movements,
// counts, on-hand) are whole grams, whatever unit it is catalogued and
// priced in; Unit says how it is shown and what its Price is per.
func WeightUnit(unit string) (GramsPerUnit, bool) {
	g, ok := weightUnits[strings.ToLower(strings.TrimSpace(unit))]
	return g, ok
}

// SoldByWeight reports whether p's Unit is a weight unit.
func (p Product) SoldByWeight() bool {
	_, ok := WeightUnit(p.Unit)
	return ok
}
