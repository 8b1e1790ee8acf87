package pdfdoc_test

import (
	"errors"
	"math"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/docs/pdfdoc"
)

func TestFormatFen(t *testing.T) {
	tests := []struct {
		fen  int64
		want string
	}{
		{0, "¥0.00"},
		{5, "¥0.05"},
		{50, "¥0.50"},
		{100, "¥1.00"},
		{123456, "¥1,234.56"},
		{100000, "¥1,000.00"},
		{99999, "¥999.99"},
		{123456789012, "¥1,234,567,890.12"},
		{-5, "-¥0.05"},
		{-123456, "-¥1,234.56"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07"},
		{math.MinInt64, "-¥92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := pdfdoc.FormatFen(tt.fen); got != tt.want {
			t.Errorf("FormatFen(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

func TestFormatInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := pdfdoc.FormatInt(n); got != want {
			t.Errorf("FormatInt(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCapitalAmount(t *testing.T) {
	tests := []struct {
		name string
		fen  int64
		want string
	}{
		{"brief's example", 123456, "壹仟贰佰叁拾肆元伍角陆分"},
		{"zero", 0, "零元整"},
		{"whole yuan", 123400, "壹仟贰佰叁拾肆元整"},
		{"to the jiao", 123450, "壹仟贰佰叁拾肆元伍角整"},
		{"fen only", 5, "伍分"},
		{"jiao only", 50, "伍角整"},
		{"below one yuan", 56, "伍角陆分"},
		{"one yuan", 100, "壹元整"},
		{"壹 before 拾", 1000, "壹拾元整"},
		{"壹拾伍", 1500, "壹拾伍元整"},
		{"壹佰壹拾", 11000, "壹佰壹拾元整"},
		{"zero between digits", 140950, "壹仟肆佰零玖元伍角整"},
		{"several zeros are one 零", 600714, "陆仟零柒元壹角肆分"},
		{"zero tens", 101000, "壹仟零壹拾元整"},
		{"元位 zero, 角 not: no 零", 168032, "壹仟陆佰捌拾元叁角贰分"},
		{"万 and 元 zeros", 10700053, "壹拾万柒仟元伍角叁分"},
		{"角 zero, 分 not: 元零分", 1640902, "壹万陆仟肆佰零玖元零贰分"},
		{"角 zero, 分 not, small", 32504, "叁佰贰拾伍元零肆分"},
		{"thousands zero in 元 section", 1000001, "壹万元零壹分"},
		{"零 inside the 元 section after 万", 1050000, "壹万零伍佰元整"},
		{"one 亿", 10000000000, "壹亿元整"},
		{"亿 then 万 section below a thousand", 10001000000, "壹亿零壹万元整"},
		{"亿, 万 section zero, 元 section", 10000000100, "壹亿零壹元整"},
		{"亿 and 仟万", 11000000000, "壹亿壹仟万元整"},
		{"拾万", 10000000, "壹拾万元整"},
		{"万亿", 100000000000000, "壹万亿元整"},
		{"仟万亿", 100000000000000000, "壹仟万亿元整"},
		{"万亿 then 万", 100000001000000, "壹万亿零壹万元整"},
		{"largest", pdfdoc.MaxCapital - 1, "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},
		{"negative", -500, "负伍元整"},
		{"negative fen", -1, "负壹分"},
		{"20.10", 2010, "贰拾元壹角整"},
		{"1000.01", 100001, "壹仟元零壹分"},
		{"zeros in both sections", 30040500600, "叁亿零肆拾万伍仟零陆元整"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pdfdoc.CapitalAmount(tt.fen)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CapitalAmount(%d) = %s, want %s", tt.fen, got, tt.want)
			}
		})
	}
}

func TestCapitalAmountRange(t *testing.T) {
	for _, fen := range []int64{pdfdoc.MaxCapital, -pdfdoc.MaxCapital, math.MaxInt64, math.MinInt64} {
		_, err := pdfdoc.CapitalAmount(fen)
		if !errors.Is(err, pdfdoc.ErrAmountRange) || !errors.Is(err, cloud.ErrInvalid) {
			t.Errorf("CapitalAmount(%d): err %v, want ErrAmountRange", fen, err)
		}
	}
}
