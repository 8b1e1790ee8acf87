// Package gs1 reads GS1 identifiers: what a barcode scanner sends (this
// file and barcode.go) and what an RFID tag's EPC bank holds (epc.go).
//
// Parse takes the data a scanner transmitted, with or without its AIM
// symbology identifier (ISO/IEC 15424, e.g. "]E0", "]C1", "]d2"), and
// returns a Code: the GTIN (always normalised to 14 digits), lot, serial,
// dates, net weight, amount payable, count and SSCC found in it, and every
// application identifier (AI) it carried. It reads
//
//   - EAN-13, UPC-A, EAN-8 and GTIN-14 (ITF-14), validating the check digit;
//   - GS1 element strings as GS1-128, GS1 DataBar, GS1 DataMatrix and GS1 QR
//     Code transmit them: AIs of predefined length run on without a
//     separator, variable-length ones end at the group separator GS (0x1D,
//     what FNC1 is transmitted as) or at the end of the data;
//   - the human-readable form "(01)09501101530003(17)250101(10)ABC";
//   - in-store variable measure EAN-13 (restricted circulation numbers with
//     prefix 20–29, printed by label scales), when a Parser is given the
//     store's VariableLayout: the item code, its weight or price, and
//     ItemGTIN, the label with its value zeroed, which names the item.
//
// Element strings are checked against the AI associations that decide what
// a code identifies: AI 02 (GTIN of contained items) needs AI 37 (their
// count) and excludes AI 01; AI 37 needs AI 02 or AI 8026.
//
// Weights and prices are integers with a number of decimals, never floats
// (DESIGN.md §2): 1.250 kg is Weight{Value: 1250, Decimals: 3, Unit: "kg"}.
//
// The rules come from the GS1 General Specifications: check digits (§7.9.1),
// price/weight check digits (§7.9.3), the AI table and the predefined-length
// element strings (§3, figure 7.8.4-2), the century of two-digit years
// (§7.12) and the GS1 prefixes of restricted circulation numbers (§1.4).
package gs1
