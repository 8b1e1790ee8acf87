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
// The browser's log of an API 4xx ("Failed to load resource") is an
// answer the page handles and is kept apart from the console errors
// (TakeRefused); every other console error, uncaught exception and failed
// request is one (TakeErrors). TakeRequests lists what the page fetched.
package console_test
