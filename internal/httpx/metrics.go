package httpx

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// MetricsContentType is the Content-Type of the Prometheus text format.
const MetricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// CounterVec is a Prometheus counter with a fixed list of label names, one
// series per combination of label values. It is safe for concurrent use.
type CounterVec struct {
	name   string
	help   string
	labels []string

	mu     sync.Mutex
	series map[string]*series
}

type series struct {
	values []string
	n      uint64
}

// NewCounterVec returns a counter named name with the given help text and
// label names.
func NewCounterVec(name, help string, labels ...string) *CounterVec {
	return &CounterVec{name: name, help: help, labels: labels, series: make(map[string]*series)}
}

// Inc adds one to the series with the given label values, given in the order
// of the label names. It panics if their number differs from the number of
// label names: that is a programming error.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Add adds n to the series with the given label values (see Inc).
func (c *CounterVec) Add(n uint64, values ...string) {
	if len(values) != len(c.labels) {
		panic(fmt.Sprintf("httpx: counter %s has %d labels, got %d values", c.name, len(c.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	c.mu.Lock()
	s := c.series[key]
	if s == nil {
		s = &series{values: slices.Clone(values)}
		c.series[key] = s
	}
	s.n += n
	c.mu.Unlock()
}

// Value returns the count of the series with the given label values, zero
// for a series never incremented.
func (c *CounterVec) Value(values ...string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.series[strings.Join(values, "\xff")]; s != nil {
		return s.n
	}
	return 0
}

// WriteTo writes the counter in Prometheus text format, its series sorted by
// label values. It returns the bytes written and the first write error.
func (c *CounterVec) WriteTo(w io.Writer) (int64, error) {
	c.mu.Lock()
	all := make([]series, 0, len(c.series))
	for _, s := range c.series {
		all = append(all, *s)
	}
	c.mu.Unlock()
	slices.SortFunc(all, func(a, b series) int { return slices.Compare(a.values, b.values) })

	var b bytes.Buffer
	fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", c.name, escapeHelp(c.help), c.name)
	for _, s := range all {
		b.WriteString(c.name)
		if len(c.labels) > 0 {
			b.WriteByte('{')
			for i, l := range c.labels {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%s=\"%s\"", l, escapeLabel(s.values[i]))
			}
			b.WriteByte('}')
		}
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(s.n, 10))
		b.WriteByte('\n')
	}
	return b.WriteTo(w)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// Metrics is a Prometheus text page: the counters and writer functions added
// to it, written in the order they were added. It is safe for concurrent
// use; the zero value is an empty page.
type Metrics struct {
	mu      sync.Mutex
	writers []func(io.Writer)
}

// Add appends a function that writes more metrics, in Prometheus text
// format, to every page served. It is called without any lock held, once per
// scrape, and must be safe for concurrent use.
func (m *Metrics) Add(f func(w io.Writer)) {
	m.mu.Lock()
	m.writers = append(m.writers, f)
	m.mu.Unlock()
}

// AddCounter appends c to the page.
func (m *Metrics) AddCounter(c *CounterVec) {
	m.Add(func(w io.Writer) { _, _ = c.WriteTo(w) })
}

// WriteTo writes the whole page to w.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	writers := slices.Clone(m.writers)
	m.mu.Unlock()
	var b bytes.Buffer
	for _, f := range writers {
		f(&b)
	}
	return b.WriteTo(w)
}

// ServeHTTP serves the page.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	_, _ = m.WriteTo(&b)
	w.Header().Set("Content-Type", MetricsContentType)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = b.WriteTo(w)
}
