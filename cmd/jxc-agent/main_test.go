package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckProfiles(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "x.yaml"), []byte("kind: scanner\ntransport: bluetooth\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{"shipped profiles", []string{"--check-profiles", "--profiles", "../../firmware-configs/devices"}, false},
		{"invalid profile", []string{"--check-profiles", "--profiles", bad}, true},
		{"no folder", []string{"--check-profiles"}, true},
		{"missing folder", []string{"--check-profiles", "--profiles", filepath.Join(bad, "nope")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JXC_PROFILES", "")
			err := NewMain().Run(context.Background(), tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Run(%v) = %v, want error %v", tt.args, err, tt.wantErr)
			}
		})
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no data dir", []string{"--site", "s1"}},
		{"bad site", []string{"--data", t.TempDir(), "--site", "a/b"}},
		{"bad listen", []string{"--data", t.TempDir(), "--site", "s1", "--listen", "not an address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JXC_DATA", "")
			if err := NewMain().Run(context.Background(), tt.args); err == nil {
				t.Fatalf("Run(%v) = nil, want an error", tt.args)
			}
		})
	}
}
