package scale

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

// maxSICSLine bounds an MT-SICS reply line; longer lines are thrown away.
const maxSICSLine = 128

// sicsReply is one MT-SICS reply line: "<ID> <status> [payload]", e.g.
// "S S      1.234 kg", "Z A", `I4 A "0123456789"`, or an error line
// "ES", "ET", "EL".
type sicsReply struct {
	// ID is the command the line answers ("S" for S, SI and SIR; "Z",
	// "T", "TA", "TAC", "I4"…) or the error "ES", "ET", "EL".
	ID string
	// Status is the status letter: 'S' stable, 'D' dynamic, 'A' done,
	// 'I' not executable now, 'L' logical error, '+' over, '-' under.
	// It is 0 on error lines.
	Status byte
	// HasWeight is true when the payload is "<value> <unit>".
	HasWeight bool
	Value     int64
	Decimals  int
	Unit      string
	// Text is a quoted payload without its quotes (I4 A "…").
	Text string
}

func (r sicsReply) reading() bool { return r.ID == "S" && r.HasWeight }

func (r sicsReply) isError() bool { return r.ID == "ES" || r.ID == "ET" || r.ID == "EL" }

// sicsErrors explains the MT-SICS error lines.
var sicsErrors = map[string]string{
	"ES": "syntax error: the scale did not recognise the command",
	"ET": "transmission error: the scale received a garbled command",
	"EL": "logical error: the scale cannot execute the command",
}

// deviceError is the error for a reply that refuses a command.
func (r sicsReply) deviceError(what string) error {
	if r.isError() {
		return fmt.Errorf("%w: %s (%s)", drivers.ErrDevice, r.ID, sicsErrors[r.ID])
	}
	return fmt.Errorf("%w: %s %c: %s", drivers.ErrDevice, r.ID, r.Status, what)
}

// parseSICSLine parses one reply line (without CR LF). Weights are exact:
// "S S     12.345 kg" has Value 12345 and 3 Decimals. It fails with
// drivers.ErrProtocol on anything that is not a well-formed reply.
func parseSICSLine(line []byte) (sicsReply, error) {
	for _, c := range line {
		if c < 0x20 || c > 0x7e {
			if c == 0 {
				return sicsReply{}, protoErr("NUL byte in MT-SICS line (parity or framing error)")
			}
			return sicsReply{}, protoErr("byte 0x%02x in MT-SICS line %q", c, line)
		}
	}
	s := strings.TrimRight(string(line), " ")
	id, rest, _ := strings.Cut(s, " ")
	if id == "" {
		return sicsReply{}, protoErr("MT-SICS line %q has no command", s)
	}
	for _, c := range []byte(id) {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '@') {
			return sicsReply{}, protoErr("MT-SICS line %q: bad command %q", s, id)
		}
	}
	r := sicsReply{ID: id}
	if r.isError() {
		if rest != "" {
			return sicsReply{}, protoErr("MT-SICS error line %q has a payload", s)
		}
		return r, nil
	}
	if len(rest) == 0 || len(rest) > 1 && rest[1] != ' ' {
		return sicsReply{}, protoErr("MT-SICS line %q: no status after %s", s, id)
	}
	r.Status = rest[0]
	switch r.Status {
	case 'S', 'D', 'A', 'I', 'L', '+', '-', 'B':
	default:
		return sicsReply{}, protoErr("MT-SICS line %q: unknown status %q", s, r.Status)
	}
	payload := strings.TrimLeft(rest[1:], " ")
	switch {
	case payload == "":
	case payload[0] == '"':
		if len(payload) < 2 || payload[len(payload)-1] != '"' || strings.Count(payload, `"`) != 2 {
			return sicsReply{}, protoErr("MT-SICS line %q: unterminated text", s)
		}
		r.Text = payload[1 : len(payload)-1]
	default:
		fields := strings.Fields(payload)
		if len(fields) != 2 {
			return sicsReply{}, protoErr("MT-SICS line %q: payload is not <value> <unit>", s)
		}
		v, d, err := parseDecimal(fields[0])
		if err != nil {
			return sicsReply{}, protoErr("MT-SICS line %q: weight: %v", s, err)
		}
		r.HasWeight, r.Value, r.Decimals, r.Unit = true, v, d, fields[1]
	}
	// The replies this driver acts on must have the payload their status
	// promises, or a mangled line could pass for one.
	weighed := (r.ID == "S" && (r.Status == 'S' || r.Status == 'D')) ||
		(r.ID == "T" && r.Status == 'S') || (r.ID == "TA" && r.Status == 'A')
	switch {
	case weighed && !r.HasWeight:
		return sicsReply{}, protoErr("MT-SICS line %q: %s %c without a weight", s, r.ID, r.Status)
	case !weighed && r.HasWeight && (r.ID == "S" || r.ID == "T" || r.ID == "TA" || r.ID == "Z" || r.ID == "TAC"):
		return sicsReply{}, protoErr("MT-SICS line %q: unexpected weight", s)
	}
	return r, nil
}

// sicsDecoder splits the stream into lines ended by CR, LF or both.
type sicsDecoder struct {
	line     []byte
	overflow bool
	broken   bool // a NUL was reported: drop the rest of the line
}

func (d *sicsDecoder) feed(c byte) (message, error) {
	if d.broken {
		if c == '\r' || c == '\n' {
			d.broken = false
			d.line = d.line[:0]
		}
		return nil, nil
	}
	if c == 0 {
		// A NUL first in a line is most likely the LF of the last one.
		n := len(d.line)
		d.broken, d.line = n > 0, d.line[:0]
		return nil, parityErr("MT-SICS line", n+1)
	}
	if c != '\r' && c != '\n' {
		if len(d.line) < maxSICSLine {
			d.line = append(d.line, c)
		} else {
			d.overflow = true
		}
		return nil, nil
	}
	line, overflow := d.line, d.overflow
	d.line, d.overflow = d.line[:0], false
	if overflow {
		return nil, protoErr("MT-SICS line longer than %d bytes", maxSICSLine)
	}
	if len(line) == 0 {
		return nil, nil // the LF of CR LF
	}
	r, err := parseSICSLine(line)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// mtsics is the Mettler Toledo Standard Interface Command Set, level 0/1:
// S, SI, Z, T, TA, TAC, I4. Commands end with CR LF; every command gets
// exactly one reply line, in order.
type mtsics struct {
	unit         string
	replyTimeout time.Duration
	// noTA is set once the scale answered TA with ES: the tare is then
	// known only from this driver's own T and TAC.
	noTA bool
	// lastTare is the last tare this driver set (T S), for scales without TA.
	lastTare sicsReply
	// pending lists the commands sent on link pendingOn whose replies
	// have not come yet, oldest first.
	pending   []pendingCmd
	pendingOn *link
}

// pendingCmd is a command whose reply is still due: by deadline for one
// the scale answers at once, whenever the load is stable (zero deadline)
// for S, Z and T.
type pendingCmd struct {
	id       string
	deadline time.Time
}

func (p *mtsics) newDecoder() decoder { return &sicsDecoder{} }
func (p *mtsics) continuous() bool    { return false }

// command sends cmd and waits (wait, or until ctx ends when 0) for its
// reply: the first line whose ID is want, or an error line.
//
// The scale answers commands one at a time and in order. A command whose
// wait was given up (an S still waiting for a stable load at the end of
// the last operation) is still pending there, and the scale will answer it
// before anything sent after it; so its reply is awaited first, within
// this operation's time.
func (p *mtsics) command(ctx context.Context, l *link, cmd, want string, wait time.Duration) (sicsReply, error) {
	if p.pendingOn != l {
		p.pendingOn, p.pending = l, nil
	}
	for len(p.pending) > 0 {
		pd := p.pending[0]
		wait := time.Duration(0) // S, Z, T: as long as the scale takes
		if !pd.deadline.IsZero() {
			if wait = time.Until(pd.deadline); wait <= 0 {
				wait = time.Nanosecond
			}
		}
		_, err := await(ctx, l, wait, func(m message) bool {
			r, ok := m.(sicsReply)
			return ok && (r.ID == pd.id || r.isError())
		})
		switch {
		case errors.Is(err, errReplyTimeout):
			// The scale never answered an earlier command: rebuild the
			// connection and let the operation start over on it.
			return sicsReply{}, fmt.Errorf("%w: %v", errLinkDown, noResponse(l, pd.id, p.replyTimeout))
		case err != nil && !retryable(err):
			return sicsReply{}, err
		}
		p.pending = p.pending[1:]
	}
	l.flush()
	sent := time.Now()
	if err := l.send([]byte(cmd + "\r\n")); err != nil {
		return sicsReply{}, err
	}
	m, err := await(ctx, l, wait, func(m message) bool {
		r, ok := m.(sicsReply)
		return ok && (r.ID == want || r.isError())
	})
	switch {
	case err == nil:
		return m.(sicsReply), nil
	case errors.Is(err, errReplyTimeout):
		return sicsReply{}, noResponse(l, cmd, wait)
	case ctx.Err() != nil:
		pd := pendingCmd{id: want}
		if wait > 0 {
			pd.deadline = sent.Add(wait)
		}
		p.pending = append(p.pending, pd)
	}
	return sicsReply{}, err
}

// retryable says whether an operation may poll again after err: a mangled
// reply or a transmission error reported by the scale.
func retryable(err error) bool { return errors.Is(err, drivers.ErrProtocol) }

// stable asks SI first: an immediate answer proves the scale is there and
// says whether it is stable. While the load moves it asks S, which the
// scale answers only once the load is stable (or with S I after its own
// timeout), and starts over.
func (p *mtsics) stable(ctx context.Context, l *link) (drivers.Weight, error) {
	// Until the scale answers, running out of time means it did not.
	var why error = fmt.Errorf("%w to SI", ErrNoResponse)
	cmd, wait := "SI", p.replyTimeout
	for {
		r, err := p.command(ctx, l, cmd, "S", wait)
		switch {
		case err == nil && r.ID == "ET":
			err = protoErr("scale reported ET (garbled command)")
		case err == nil && r.isError():
			return drivers.Weight{}, r.deviceError("")
		}
		if err != nil {
			if ctx.Err() != nil {
				return drivers.Weight{}, expired(ctx, why)
			}
			if !retryable(err) {
				return drivers.Weight{}, err
			}
			why = err
			cmd, wait = "SI", p.replyTimeout
			if err := pause(ctx, pollInterval); err != nil {
				return drivers.Weight{}, expired(ctx, why)
			}
			continue
		}
		switch r.Status {
		case 'S':
			return p.weight(ctx, l, r)
		case '+':
			return drivers.Weight{}, fmt.Errorf("%w (S +)", drivers.ErrOverload)
		case '-':
			return drivers.Weight{}, fmt.Errorf("%w (S -)", drivers.ErrUnderload)
		case 'D', 'I':
			why = fmt.Errorf("%w: the load did not settle (S %c)", drivers.ErrUnstable, r.Status)
			if cmd == "SI" {
				cmd, wait = "S", 0
				continue
			}
			cmd, wait = "SI", p.replyTimeout
			if err := pause(ctx, pollInterval); err != nil {
				return drivers.Weight{}, expired(ctx, why)
			}
		default:
			return drivers.Weight{}, r.deviceError("unexpected reply to " + cmd)
		}
	}
}

// weight turns a stable S reply into a Weight, checking its unit and
// asking TA for the tare so that Net and Tare are right even when the tare
// was set on the scale's keys.
func (p *mtsics) weight(ctx context.Context, l *link, r sicsReply) (drivers.Weight, error) {
	if p.unit != "" && r.Unit != p.unit {
		return drivers.Weight{}, fmt.Errorf("%w: the scale weighs in %q, Config.Unit is %q", ErrUnitMismatch, r.Unit, p.unit)
	}
	w := drivers.Weight{Value: r.Value, Decimals: r.Decimals, Unit: r.Unit}
	tare := p.lastTare
	if !p.noTA {
		// Whatever goes wrong with TA (no answer, a garbled one, time
		// running out) costs the tare, never the stable weight in hand.
		t, err := p.command(ctx, l, "TA", "TA", p.replyTimeout)
		switch {
		case err == nil && t.ID == "ES":
			p.noTA = true
		case err == nil && t.Status == 'A' && t.HasWeight:
			tare = t
		}
	}
	if tare.HasWeight && tare.Value != 0 {
		w.Net = true
		if tare.Unit == w.Unit {
			w.Tare, _ = rescale(tare.Value, tare.Decimals, w.Decimals)
		}
	}
	return w, nil
}

// rescale expresses v (with from decimals) with to decimals, if it can be
// done exactly.
func rescale(v int64, from, to int) (int64, bool) {
	for ; from < to; from++ {
		if v > (1<<62)/10 || v < -(1<<62)/10 {
			return 0, false
		}
		v *= 10
	}
	for ; from > to; from-- {
		if v%10 != 0 {
			return 0, false
		}
		v /= 10
	}
	return v, true
}

// ping asks SI to make sure the scale answers before a command that may
// legitimately take long (Z, T wait for a stable load).
func (p *mtsics) ping(ctx context.Context, l *link) error {
	_, err := p.command(ctx, l, "SI", "S", p.replyTimeout)
	switch {
	case err != nil && ctx.Err() != nil:
		return expired(ctx, fmt.Errorf("%w to SI", ErrNoResponse))
	case err != nil && !retryable(err):
		return err
	}
	return nil // any answer will do, even ES: the scale is there
}

// waitStable sends cmd (Z, T, TAC), which the scale executes once the load
// is stable, until it answers with status ok; "I" (not executable now)
// means try again.
func (p *mtsics) waitStable(ctx context.Context, l *link, cmd string, wait time.Duration, ok byte, explain map[byte]string) (sicsReply, error) {
	if err := p.ping(ctx, l); err != nil {
		return sicsReply{}, err
	}
	why := fmt.Errorf("%w: the load did not settle for %s", drivers.ErrUnstable, cmd)
	for {
		r, err := p.command(ctx, l, cmd, cmd, wait)
		if err == nil && r.isError() {
			return sicsReply{}, r.deviceError("")
		}
		if err == nil && r.Status == ok {
			return r, nil
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return sicsReply{}, expired(ctx, why)
		case err != nil && !retryable(err):
			return sicsReply{}, err
		case err == nil && r.Status != 'I':
			return sicsReply{}, r.deviceError(explain[r.Status])
		}
		if err := pause(ctx, pollInterval); err != nil {
			return sicsReply{}, expired(ctx, why)
		}
	}
}

func (p *mtsics) zero(ctx context.Context, l *link) error {
	_, err := p.waitStable(ctx, l, "Z", 0, 'A', map[byte]string{
		'+': "load above the zero-setting range",
		'-': "load below the zero-setting range",
	})
	return err
}

func (p *mtsics) tare(ctx context.Context, l *link) error {
	r, err := p.waitStable(ctx, l, "T", 0, 'S', map[byte]string{
		'+': "load above the taring range",
		'-': "load below the taring range",
	})
	if err == nil {
		p.lastTare = r
	}
	return err
}

func (p *mtsics) clearTare(ctx context.Context, l *link) error {
	_, err := p.waitStable(ctx, l, "TAC", p.replyTimeout, 'A', map[byte]string{
		'L': "tare cannot be cleared",
	})
	if err == nil {
		p.lastTare = sicsReply{}
	}
	return err
}

func (p *mtsics) serialNumber(ctx context.Context, l *link) (string, error) {
	r, err := p.command(ctx, l, "I4", "I4", p.replyTimeout)
	if err != nil && ctx.Err() != nil {
		return "", expired(ctx, fmt.Errorf("%w: waited for earlier commands", ErrNoResponse))
	}
	if err != nil {
		return "", err
	}
	if r.isError() || r.Status != 'A' {
		return "", r.deviceError("serial number not available")
	}
	return r.Text, nil
}
