// Command benchreport reads `go test -bench` output on standard input and
// prints the project's headline figures beside the raw limits of the engines
// under them, measured in the same run, with the ratios and targets.
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// A result line: name-procs, iterations, then value/unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	metrics := map[string]map[string]float64{}
	sc := bufio.NewScanner(os.Stdin)
	pkg := "" // the last element of the package being reported
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "pkg: "); ok {
			pkg = p[strings.LastIndex(p, "/")+1:]
			continue
		}
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		vals := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				vals[f[i+1]] = v
			}
		}
		metrics[m[1]] = vals
		// Packages share benchmark names (cloud/sqlite and cloud/postgres):
		// each is also kept as Name/package.
		metrics[m[1]+"/"+pkg] = vals
	}
	get := func(name, unit string) (float64, bool) {
		v, ok := metrics[name][unit]
		return v, ok
	}
	missing := 0
	line := func(label, name, unit string) float64 {
		v, ok := get(name, unit)
		if !ok {
			fmt.Printf("  %-58s MISSING (%s %s)\n", label, name, unit)
			missing++
			return 0
		}
		prec := 0
		if v < 100 {
			prec = 2
		}
		fmt.Printf("  %-58s %12.*f %s\n", label, prec, v, unit)
		return v
	}
	ratio := func(label string, a, b float64, target string) {
		if a == 0 || b == 0 {
			return
		}
		fmt.Printf("  %-58s %12.2f   %s\n", label, a/b, target)
	}

	fmt.Println("\n== 1. Ledger: durable appends (WAL, synchronous=FULL) ==")
	led := line("ledger appends/s, 64 concurrent writers", "BenchmarkLedgerAppend", "appends/s")
	line("ledger events per commit (group commit)", "BenchmarkLedgerAppend", "events/commit")
	one := line("raw modernc.org/sqlite inserts/s, 1 row per transaction", "BenchmarkRawSQLiteInsertPerTx", "rows/s")
	bat := line("raw modernc.org/sqlite inserts/s, 64 rows per transaction", "BenchmarkRawSQLiteInsertBatched", "rows/s")
	ratio("ratio ledger / raw 1-row transactions", led, one, "")
	ratio("ratio ledger / raw batched transactions", led, bat, "")
	if led > 0 {
		verdict := "MET"
		if led < 50000 {
			verdict = "NOT MET"
		}
		fmt.Printf("  target >= 50,000 appends/s: %s\n", verdict)
	}

	fmt.Println("\n== 2. End to end: agent -> Mosquitto -> cloud, until acked ==")
	raw := line("raw paho QoS 1 publish->receive, msgs/s (one movement each)", "BenchmarkRawQoS1", "msgs/s")
	if d, ok := get("BenchmarkRawQoS1", "dropped"); ok && d > 0 {
		fmt.Printf("  (the broker dropped %.0f of the raw QoS 1 messages to the subscriber)\n", d)
	}
	for _, st := range []string{"sqlite", "postgres"} {
		v := line("sync movements/s, cloud on "+st, "BenchmarkSyncEndToEnd/"+st, "movements/s")
		ratio("ratio sync ("+st+") / raw QoS 1", v, raw, "target >= 0.50")
	}

	fmt.Println("\n== 3. Wire size ==")
	line("wire bytes per movement, batch of 1000 (target <= 32)", "BenchmarkBatchWireSize", "wire-B/movement")
	line("uncompressed bytes per movement, same batch", "BenchmarkBatchWireSize", "body-B/movement")
	fmt.Println("\n== 4. Gate portal: tag reads -> passes, one core ==")
	gr := line("gate reads/s (500 tags in and out, noise, Flush every 100 ms)", "BenchmarkGateAdd", "reads/s")
	mr := line("raw map lookup+update reads/s, same reads", "BenchmarkRawMapUpdate", "reads/s")
	ratio("ratio gate / raw map", gr, mr, "")
	if gr > 0 {
		verdict := "MET"
		if gr < 100000 {
			verdict = "NOT MET"
		}
		fmt.Printf("  target >= 100,000 reads/s: %s\n", verdict)
	}
	fmt.Println("\n== 5. Count merging: a key with 10,000 prior counts, 1,000-entry contexts ==")
	cm := line("ledger peer counts merged/s (batches of 150)", "BenchmarkCountMerge", "counts/s")
	line("ms per peer commit (what a local scan may wait behind)", "BenchmarkCountMerge", "ms/commit")
	rc := line("raw modernc.org/sqlite inserts/s of the same rows, 150 per tx", "BenchmarkRawSQLiteInsertCounts", "rows/s")
	ratio("ratio merge / raw inserts", cm, rc, "")
	line("syncproto.CountState.Add counts/s (merge alone, in memory)", "BenchmarkCountStateAdd", "counts/s")
	for _, st := range []struct{ name, pkg string }{{"SQLite", "sqlite"}, {"PostgreSQL", "postgres"}} {
		c := line("cloud ("+st.name+") counts merged/s, 3,000 prior, by 15", "BenchmarkApplyCounts/"+st.pkg, "counts/s")
		m := line("cloud ("+st.name+") movements applied/s, by 1000", "BenchmarkApplyBatch/"+st.pkg, "movements/s")
		ratio("ratio counts / movements, "+st.name, c, m, "")
	}
	fmt.Println("\n== 6. Master data: 10,000 product records to an agent that was offline ==")
	msync := line("master records/s, cloud (SQLite) -> Mosquitto -> agent catalogue", "BenchmarkMasterSync", "records/s")
	mraw := line("raw modernc.org/sqlite inserts/s of the same rows, one transaction", "BenchmarkRawSQLiteMasterInsert", "records/s")
	ratio("ratio master sync / raw inserts", msync, mraw, "")
	fmt.Println("\n== 7. Cloud API: authentication per request (GET /api/v1/stock through the whole handler) ==")
	noAuth := line("no authentication (the principal known, nothing read), µs/request", "BenchmarkAuthRequestRaw", "µs/req")
	for _, st := range []struct{ name, pkg string }{{"SQLite", "sqlite"}, {"PostgreSQL", "postgres"}} {
		for _, cred := range []string{"session", "token"} {
			v := line(fmt.Sprintf("%s %s, µs/request", st.name, cred), "BenchmarkAuthRequest/"+st.pkg+"/"+cred, "µs/req")
			if v > 0 && noAuth > 0 {
				fmt.Printf("  %-58s %12.2f µs/req\n", "  of which authentication", v-noAuth)
			}
			ratio(fmt.Sprintf("ratio %s %s / no authentication", st.name, cred), v, noAuth, "")
		}
	}
	fmt.Println("\n== 8. Master data import: an XLSX file of 10,000 product rows (7,000 products) into SQLite ==")
	imp := line("import rows/s, check then commit through the service", "BenchmarkImportXLSX", "rows/s")
	line("  check rows/s (every record written and rolled back)", "BenchmarkImportXLSX", "check-rows/s")
	line("  commit rows/s (100 records per transaction)", "BenchmarkImportXLSX", "commit-rows/s")
	xr := line("raw excelize rows/s, reading the same file", "BenchmarkRawExcelizeRead", "rows/s")
	ratio("ratio import / raw excelize read", imp, xr, "")
	fmt.Println("\n== 9. Document progress: purchase order lines derived from 1,000,000 movements ==")
	for _, st := range []struct{ name, pkg string }{{"SQLite", "sqlite"}, {"PostgreSQL", "postgres"}} {
		line("cloud ("+st.name+") movements/s, incremental steps behind ingest", "BenchmarkDocProgress/"+st.pkg, "incremental-movements/s")
		p := line("cloud ("+st.name+") movements/s, whole log projected (rebuild)", "BenchmarkDocProgress/"+st.pkg, "movements/s")
		r := line("raw SQL aggregate (count, sum) over the same rows, rows/s", "BenchmarkDocProgress/"+st.pkg, "raw-rows/s")
		ratio("ratio projection / raw aggregate, "+st.name, p, r, "")
	}
	fmt.Println("\n== 10. A 500-line purchase order received by 1,000 scans from 4 handhelds at one agent ==")
	for _, st := range []struct{ name, pkg string }{{"SQLite", "sqlite"}, {"PostgreSQL", "postgres"}} {
		sc := line("scans/s at the agent's work API (checked, durable), cloud on "+st.name, "BenchmarkPOReceiveByScans/"+st.pkg, "scans/s")
		line("  scans/s through to the order \"received\" in the cloud", "BenchmarkPOReceiveByScans/"+st.pkg, "received-scans/s")
		r := line("raw ledger appends/s, the same movements by 4 writers", "BenchmarkPOReceiveByScans/"+st.pkg, "raw-appends/s")
		ratio("ratio scans / raw appends, "+st.name, sc, r, "")
	}
	if missing > 0 {
		fmt.Printf("\n%d figures missing: a benchmark failed or did not run\n", missing)
		os.Exit(1)
	}
}
