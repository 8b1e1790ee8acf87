// Package scanner reads barcode scanners: USB keyboard-wedge scanners (HID
// boot keyboard reports), USB HID-POS scanners (usage page 0x8C, one code
// per report) and serial scanners (CR/LF-terminated lines).
//
// The pipeline, the same for every transport:
//
//	USB boot keyboard reports → KeyboardDecoder → characters ┐
//	serial bytes ───────────────────────────────────────────┤→ Framer → Code → drivers.Scan
//	USB HID-POS reports → HIDPOSDecoder → whole code ───────┘  (Clean)
//
// The Framer splits characters into codes at the terminator (Enter, CR, LF,
// CRLF, optionally Tab), drops codes longer than Config.MaxLength (counted
// as an error, reading resumes at the next terminator), strips the prefixes
// and suffixes the scanner is set to send, recognises an AIM symbology
// identifier (ISO/IEC 15424, "]C1", "]d2", "]E0"…) and turns the scanner's
// substitute for the GS1 group separator (e.g. "<GS>") back into GS (0x1D).
//
// drivers.Scan has no symbology field, so Scan.Data carries the symbology
// identifier, when the scanner sent one, in front of the data in its
// standard form: "]C1010950…". drivers/gs1.Parse reads it, and it is what
// tells a GS1-128 (]C1) from a plain Code 128 (]C0).
//
// Every scanner reconnects with exponential backoff (cenkalti/backoff) after
// its device fails or is unplugged, and reports its health.
//
// # USB
//
// USB scanners are read through libusb (github.com/google/gousb), which
// needs cgo. Only usb.go imports it, under the build constraint
// "cgo && usb": the default build, and every CGO_ENABLED=0 build, needs no
// libusb, and there NewUSB returns ErrNoUSB. Build with -tags usb after
// installing libusb-1.0 (Debian: libusb-1.0-0-dev) to read USB scanners.
// The driver detaches the kernel's HID driver while it holds the interface
// (so scans no longer type into whatever window has focus) and needs write
// access to the device node (/dev/bus/usb/…): run as root or add a udev
// rule for the scanner's vendor and product ID.
//
// The sub-package scannersim emulates scanners for tests and the demo: a
// serial scanner on a pseudo-terminal, a USB HID device, and the report
// sequences a keyboard wedge or a HID-POS scanner sends.
package scanner
