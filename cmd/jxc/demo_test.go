package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemo runs the one-command demo briefly, link cut included, and checks
// that it ends with the cloud's totals equal to what was recorded.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	d := &DemoCommand{out: &out}
	err := d.Run(context.Background(), []string{"--dir", t.TempDir(), "--duration", "4s", "--rate", "600"})
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"link cut", "link restored", "OK: cloud totals equal what was recorded",
		"203 products 商品 (376 SKUs)", "20 suppliers 供应商, 50 customers 客户",
		"OK: every document done from the work at the sites; one retail sale per sale."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// Every agent got the seeded catalogue over down/master: 376 SKUs, and
	// its site's bins (and a store's stock limits).
	// (Users and pushes that arrive while agents are up add to the counts.)
	pulled := regexp.MustCompile(`agents pulled master data .*: shop-sh-a (\d+), shop-sh-b (\d+), wh-bj (\d+) records`).FindStringSubmatch(out.String())
	if pulled == nil {
		t.Error("demo output lacks the agents' master data")
	} else {
		for _, n := range pulled[1:] {
			if v, _ := strconv.Atoi(n); v < 376 {
				t.Errorf("an agent applied %d master records, fewer than the 376 SKUs", v)
			}
		}
	}
	// HQ's documents, worked at the sites, and the till's sales.
	for _, typ := range []string{"采购订单", "销售订单", "拣货单", "调拨单"} {
		if !regexp.MustCompile(`(?m)^[A-Z]{2}\d{8}-\d{4} +` + typ + ` +\S+ done `).MatchString(out.String()) {
			t.Errorf("demo output has no %s done", typ)
		}
	}
	if m := regexp.MustCompile(`retail sales 零售单 in the cloud: (\d+); recorded at the till: (\d+)`).FindStringSubmatch(out.String()); m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("retail sales: %v", m)
	}
	// The console and how each shipped role signs in.
	if !regexp.MustCompile(`console 管理后台: http://127\.0\.0\.1:\d+/ `).MatchString(out.String()) {
		t.Error("demo output lacks the console's address")
	}
	for _, role := range []string{"administrator", "purchaser", "sales", "warehouse", "finance", "store_manager", "auditor", "cashier"} {
		if !regexp.MustCompile(`(?m)^  [a-z.]+ +` + demoAdminPassword + ` +` + role + ` `).MatchString(out.String()) {
			t.Errorf("demo output has no sign-in of a %s", role)
		}
	}
	// The warehouse's emulated devices recorded through the pipeline.
	m := regexp.MustCompile(`(\d+) gate passes, (\d+) scans \((\d+) recorded, (\d+) refused\), (\d+) unknown items`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatal("demo output lacks the devices' line")
	}
	if m[1] == "0" || m[3] == "0" || m[4] != "0" || m[5] != "0" {
		t.Errorf("devices: %s gate passes, %s scans recorded, %s refused, %s unknown; want passes and scans, none refused or unknown", m[1], m[3], m[4], m[5])
	}
	// Their health as the agent's GET /api/v1/devices serves it.
	if !regexp.MustCompile(`dock-1\s+llrp\s+connected true\s+reads\s+[1-9]\d*\s+errors 0`).MatchString(out.String()) {
		t.Error("demo output lacks the reader's health from GET /api/v1/devices")
	}
}

func TestDemoRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"zero rate", []string{"--rate", "0"}},
		{"negative duration", []string{"--duration", "-1s"}},
		{"unknown flag", []string{"--nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := (&DemoCommand{out: &out}).Run(context.Background(), tt.args); err == nil {
				t.Fatalf("Run(%v) = nil, want an error", tt.args)
			}
		})
	}
}
