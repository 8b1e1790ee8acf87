package scalesim

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// maxLine bounds a received MT-SICS command line.
const maxLine = 128

// serveSICS answers MT-SICS commands, one line at a time and in order, as a
// balance does: S, SI, SIR, Z, ZI, T, TI, TA, TAC, I4 and @; anything else
// gets ES, a line with bytes that are not printable ASCII gets ET.
func (s *Sim) serveSICS(w io.Writer, in <-chan byte, stop <-chan struct{}) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		var line []byte
		for c := range in {
			if c != '\r' && c != '\n' {
				if len(line) < maxLine {
					line = append(line, c)
				}
				continue
			}
			if len(line) == 0 {
				continue
			}
			select {
			case lines <- string(line):
			case <-stop:
				return
			}
			line = line[:0]
		}
	}()
	var repeat <-chan time.Time // SIR
	var ticker *time.Ticker
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		select {
		case <-stop:
			return errStopped
		case <-repeat:
			if err := s.emit(w, s.sicsWeight()); err != nil {
				return err
			}
		case line, ok := <-lines:
			if !ok {
				return io.EOF
			}
			if ticker != nil {
				ticker.Stop()
				ticker, repeat = nil, nil
			}
			cmd := strings.TrimSpace(line)
			s.noteCommand(cmd)
			if cmd == "SIR" {
				ticker = time.NewTicker(s.opts.Interval)
				repeat = ticker.C
			}
			if err := s.emit(w, s.sicsAnswer(cmd, stop)); err != nil {
				return err
			}
		}
	}
}

// sicsLine formats a reply line, with a weight when withWeight is set: the value
// right-aligned in 10 characters, as balances print it.
func (s *Sim) sicsLine(id string, status byte, value int64, withWeight bool) []byte {
	if !withWeight {
		return []byte(fmt.Sprintf("%s %c\r\n", id, status))
	}
	return []byte(fmt.Sprintf("%s %c %10s %s\r\n", id, status, FormatDecimal(value, s.opts.Decimals), s.opts.Unit))
}

// sicsWeight answers SI (and SIR, S once stable).
func (s *Sim) sicsWeight() []byte {
	r := s.read()
	switch {
	case r.over:
		return s.sicsLine("S", '+', 0, false)
	case r.under:
		return s.sicsLine("S", '-', 0, false)
	case r.motion:
		return s.sicsLine("S", 'D', s.shown(r), true)
	}
	return s.sicsLine("S", 'S', r.net, true)
}

func (s *Sim) sicsAnswer(cmd string, stop <-chan struct{}) []byte {
	for _, c := range []byte(cmd) {
		if c < 0x20 || c > 0x7e {
			return []byte("ET\r\n")
		}
	}
	switch cmd {
	case "S":
		if r := s.read(); r.over || r.under {
			return s.sicsWeight()
		}
		if !s.waitStable(stop, s.opts.StableWait) {
			return s.sicsLine("S", 'I', 0, false)
		}
		return s.sicsWeight()
	case "SI", "SIR":
		return s.sicsWeight()
	case "Z", "ZI":
		id := cmd
		if cmd == "Z" && !s.waitStable(stop, s.opts.StableWait) {
			return s.sicsLine(id, 'I', 0, false)
		}
		var res zeroResult
		s.update(func() { res = s.zeroLocked(cmd == "ZI") })
		switch res {
		case zeroAbove:
			return s.sicsLine(id, '+', 0, false)
		case zeroBelow:
			return s.sicsLine(id, '-', 0, false)
		case zeroMoving:
			return s.sicsLine(id, 'I', 0, false)
		}
		if cmd == "ZI" {
			return s.sicsLine(id, 'S', 0, false)
		}
		return s.sicsLine(id, 'A', 0, false)
	case "T":
		if !s.waitStable(stop, s.opts.StableWait) {
			return s.sicsLine("T", 'I', 0, false)
		}
		var res tareResult
		var tare int64
		s.update(func() { res, tare = s.tareLocked(), s.tare })
		switch res {
		case tareAbove:
			return s.sicsLine("T", '+', 0, false)
		case tareBelow:
			return s.sicsLine("T", '-', 0, false)
		case tareMoving:
			return s.sicsLine("T", 'I', 0, false)
		}
		return s.sicsLine("T", 'S', tare, true)
	case "TA":
		return s.sicsLine("TA", 'A', s.read().tare, true)
	case "TAC":
		s.PressClearTare()
		return s.sicsLine("TAC", 'A', 0, false)
	case "I4":
		return []byte("I4 A " + strconv.Quote(s.opts.SerialNumber) + "\r\n")
	case "@":
		s.PressClearTare()
		return []byte("I4 A " + strconv.Quote(s.opts.SerialNumber) + "\r\n")
	}
	return []byte("ES\r\n")
}

// FormatDecimal prints value with decimals digits after the point:
// (-5, 3) is "-0.005".
func FormatDecimal(value int64, decimals int) string {
	neg := value < 0
	if neg {
		value = -value
	}
	str := strconv.FormatInt(value, 10)
	if decimals > 0 {
		for len(str) <= decimals {
			str = "0" + str
		}
		str = str[:len(str)-decimals] + "." + str[len(str)-decimals:]
	}
	if neg {
		str = "-" + str
	}
	return str
}
