// Package handheld_test drives the handheld and till pages that jxc-agent
// serves at / on its LAN, in headless Chromium with a phone's viewport:
// the jxc-cloud and jxc-agent binaries against a real Mosquitto broker,
// the agent cut off from the broker while a user signs in, receives,
// counts and sells, then the link restored and the cloud checked.
package handheld_test
