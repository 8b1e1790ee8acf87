// Package console_test drives the HQ web console in headless Chromium
// (chromedp) against a real cloud: the jxc-cloud binary (cloudapp.Start
// behind it), on PostgreSQL when JXC_TEST_POSTGRES is set (a fresh
// database per test), else on SQLite in a temporary folder, with the
// embedded MQTT broker.
//
// Chromium is $JXC_CHROMIUM, else /usr/bin/chromium or chromium on the
// PATH (scripts/services.sh installs Debian's). Without it the tests fail
// when CI=true and skip otherwise. Screenshots go to $JXC_SCREENSHOTS when
// set, else to a temporary folder.
//
// The tests of the master data pages that need the master data API
// (cloud/masterdata, API.md) are in masterdata_test.go behind the build tag
// masterdata until that API is merged: go test -tags masterdata ./e2e/console.
package console_test
