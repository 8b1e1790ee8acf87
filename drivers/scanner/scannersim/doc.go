// Package scannersim emulates barcode scanners for tests and the demo.
//
// Sim is a serial scanner on a pseudo-terminal (raw mode): open Path() with
// go.bug.st/serial, as the driver opens a real scanner's port, and Scan
// writes a code and its terminator the way the scanner would. HID is a USB
// HID scanner without the USB: a scanner.Device fed with input reports,
// which can be unplugged and plugged back. Keyboard turns a string into the
// HID boot keyboard reports a keyboard-wedge scanner sends for it, and
// HIDPOSReports a code into HID-POS scanned-data reports.
//
// The encoders here keep their own key tables, independent of the
// driver's decoder, so tests of one check the other.
package scannersim
