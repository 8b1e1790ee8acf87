package importx_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/masterdata/importx"
	"github.com/jxc-edge/jxc/cloud/postgres"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// opener opens a new, empty store.
type opener func(tb testing.TB) masterdata.Store

func openSQLite(tb testing.TB) masterdata.Store {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "md.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func openPostgres(tb testing.TB) masterdata.Store {
	tb.Helper()
	st, err := postgres.Open(context.Background(), testenv.PostgresDSN(tb), postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// stores are the stores the store-level tests run on.
var stores = []struct {
	name string
	open opener
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

// fixture is an importer over a store seeded with what the samples refer
// to: units, categories and sites.
type fixture struct {
	svc *masterdata.Service
	im  *importx.Importer
	p   *auth.Principal
}

func newFixture(tb testing.TB, open opener, opts importx.Options) *fixture {
	tb.Helper()
	svc := masterdata.New(open(tb))
	f := &fixture{svc: svc, im: importx.New(svc, opts), p: auth.System("acme", "test")}
	for _, u := range []masterdata.Unit{
		{Meta: masterdata.Meta{Code: "件", Name: "件"}}, {Meta: masterdata.Meta{Code: "瓶", Name: "瓶"}},
		{Meta: masterdata.Meta{Code: "罐", Name: "罐"}}, {Meta: masterdata.Meta{Code: "盒", Name: "盒"}},
		{Meta: masterdata.Meta{Code: "箱", Name: "箱"}}, {Meta: masterdata.Meta{Code: "kg", Name: "千克"}, Weight: true},
	} {
		create(tb, f, masterdata.Units, &u)
	}
	for _, c := range [][2]string{{"FZ", "服装"}, {"SG", "水果"}, {"YL", "饮料"}, {"RZ", "乳制品"}} {
		create(tb, f, masterdata.Categories, &masterdata.Category{Meta: masterdata.Meta{Code: c[0], Name: c[1]}})
	}
	for _, s := range []masterdata.Site{
		{Meta: masterdata.Meta{Code: "store-1", Name: "人民路店"}, Type: "store"},
		{Meta: masterdata.Meta{Code: "wh-1", Name: "城东中心仓"}, Type: "warehouse"},
	} {
		create(tb, f, masterdata.Sites, &s)
	}
	return f
}

// create stores a record through the service.
func create[T any](tb testing.TB, f *fixture, k *masterdata.Kind[T], rec *T) *T {
	tb.Helper()
	v, err := masterdata.Create(context.Background(), f.svc, k, f.p, rec)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// check checks a file and fails the test on an error (not on problems).
func (f *fixture) check(tb testing.TB, kind string, format importx.Format, body []byte) *importx.Report {
	tb.Helper()
	rep, err := f.im.Check(context.Background(), f.p, kind, format, body)
	if err != nil {
		tb.Fatalf("check %s: %v", kind, err)
	}
	return rep
}

func (f *fixture) commit(tb testing.TB, id string) *importx.Result {
	tb.Helper()
	res, err := f.im.Commit(context.Background(), f.p, id)
	if err != nil {
		tb.Fatalf("commit %s: %v", id, err)
	}
	return res
}

func (f *fixture) export(tb testing.TB, kind string, format importx.Format) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := f.im.Export(context.Background(), f.p, kind, format, &buf); err != nil {
		tb.Fatalf("export %s: %v", kind, err)
	}
	return buf.Bytes()
}

func list[T any](tb testing.TB, f *fixture, k *masterdata.Kind[T]) []*T {
	tb.Helper()
	out, _, err := masterdata.List(context.Background(), f.svc, k, f.p, masterdata.ListQuery{Limit: 500})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// gtin13 completes 12 digits with their check digit.
func gtin13(twelve string) string { return twelve + string(syncproto.GTINCheckDigit(twelve)) }

// gtin14 completes 13 digits with their check digit.
func gtin14(thirteen string) string { return thirteen + string(syncproto.GTINCheckDigit(thirteen)) }

// csvOf writes rows as a CSV file (the first is the header).
func csvOf(rows ...string) []byte { return []byte(strings.Join(rows, "\r\n") + "\r\n") }
