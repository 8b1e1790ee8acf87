package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return res.StatusCode
}

// TestMasterList: the bins, stock limits and products an agent received
// are listed by GET /api/v1/master/{kind}, page by page, tombstones only
// when asked for.
func TestMasterList(t *testing.T) {
	srv, l := realServer(t)
	body := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	recs := []*pb.MasterRecord{
		{Kind: syncproto.KindBin, Key: "A-01", Revision: 1, Body: body(&pb.BinRecord{Name: "A 区 1 号"})},
		{Kind: syncproto.KindBin, Key: "A-02", Revision: 2, Body: body(&pb.BinRecord{Name: "A 区 2 号", Disabled: true})},
		{Kind: syncproto.KindBin, Key: "B-01", Revision: 3, Deleted: true},
		{Kind: syncproto.KindStockLimit, Key: "WATER", Revision: 4, Body: body(&pb.StockLimitRecord{Min: 48, Max: 480})},
		{Kind: syncproto.KindProduct, Key: "WATER", Revision: 5, Body: body(&pb.ProductRecord{Name: "矿泉水 550ml", Unit: "瓶", Price: 200,
			Gtins: []string{"6970000000017"}, Packs: []*pb.PackRecord{{Unit: "箱", Factor: 24, Gtins: []string{"16970000000014"}}}})},
		{Kind: syncproto.KindUser, Key: "clerk", Revision: 6, Body: body(&pb.UserRecord{DisplayName: "店员", Roles: []string{"warehouse"},
			PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$a2V5"})},
	}
	ok, err := l.ApplyMaster(context.Background(), &pb.MasterBatch{Version: syncproto.Version, Tenant: "t1", Site: "s1", FromRev: 0, ToRev: 6, Records: recs})
	if err != nil || !ok {
		t.Fatalf("ApplyMaster = %v, %v", ok, err)
	}

	var bins httpapi.MasterResponse
	if st := getJSON(t, srv.URL+"/api/v1/master/bin", &bins); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	if bins.MasterRev != 6 || len(bins.Records) != 2 || bins.Records[0].Key != "A-01" || bins.Records[0].Bin.Name != "A 区 1 号" ||
		!bins.Records[1].Bin.Disabled || bins.Next != "" {
		t.Errorf("bins %+v", bins)
	}
	if st := getJSON(t, srv.URL+"/api/v1/master/bin?deleted=true&limit=2", &bins); st != http.StatusOK || len(bins.Records) != 2 || bins.Next != "A-02" {
		t.Errorf("first page with tombstones: %d %+v", st, bins)
	}
	if st := getJSON(t, srv.URL+"/api/v1/master/bin?deleted=true&limit=2&after=A-02", &bins); st != http.StatusOK ||
		len(bins.Records) != 1 || !bins.Records[0].Deleted || bins.Records[0].Key != "B-01" {
		t.Errorf("second page: %d %+v", st, bins)
	}

	var limits httpapi.MasterResponse
	getJSON(t, srv.URL+"/api/v1/master/stock_limit", &limits)
	if len(limits.Records) != 1 || *limits.Records[0].StockLimit != (httpapi.MasterStockLimit{Min: 48, Max: 480}) {
		t.Errorf("stock limits %+v", limits)
	}
	var products httpapi.MasterResponse
	getJSON(t, srv.URL+"/api/v1/master/product", &products)
	if len(products.Records) != 1 || products.Records[0].Product.Packs[0].Factor != 24 || products.Records[0].Product.Price != 200 {
		t.Errorf("products %+v", products)
	}
	// The pack's barcode is in the catalogue, with its size.
	var p struct {
		SKU    string `json:"sku"`
		Factor int64  `json:"factor"`
	}
	if st := getJSON(t, srv.URL+"/api/v1/products/16970000000014", &p); st != http.StatusOK || p.SKU != "WATER" || p.Factor != 24 {
		t.Errorf("case barcode: %d %+v", st, p)
	}

	// A user is listed without the password hash the agent keeps.
	// The site's users need a caller.
	var none httpapi.MasterResponse
	if code := getJSON(t, srv.URL+"/api/v1/master/user", &none); code != http.StatusUnauthorized {
		t.Errorf("users without credentials: status %d, want 401", code)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/master/user", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var users httpapi.MasterResponse
	if err := json.Unmarshal(raw, &users); err != nil || len(users.Records) != 1 || users.Records[0].User == nil ||
		users.Records[0].User.DisplayName != "店员" || users.Records[0].Body != nil {
		t.Errorf("users %s (%v)", raw, err)
	}
	if strings.Contains(string(raw), "argon2id") || strings.Contains(string(raw), "JGFyZ29uMmlk") {
		t.Errorf("the user list shows the password hash: %s", raw)
	}

	for _, path := range []string{"/api/v1/master/Bin", "/api/v1/master/bin?limit=0", "/api/v1/master/bin?limit=x"} {
		if st := getJSON(t, srv.URL+path, nil); st != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", path, st)
		}
	}
}
