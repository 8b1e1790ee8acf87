package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// MasterLister is a ledger that keeps the cloud's master records and lists
// them (agent/sqlite's Ledger). GET /api/v1/master/{kind} answers 404 when
// the ledger is not one.
type MasterLister interface {
	// MasterRev returns the master revision the ledger holds.
	MasterRev() uint64
	// MasterRecordsAfter returns at most limit stored records of kind
	// whose key sorts after after, tombstones included, in key order.
	MasterRecordsAfter(ctx context.Context, kind, after string, limit int) ([]*pb.MasterRecord, error)
}

// Limits of GET /api/v1/master/{kind}.
const (
	DefaultMasterPage = 500
	MaxMasterPage     = 5000
)

// MasterResponse is the body of GET /api/v1/master/{kind}: a page of the
// master records of one kind the agent holds, in key order.
type MasterResponse struct {
	Kind string `json:"kind"`
	// MasterRev is the master revision the agent holds.
	MasterRev uint64         `json:"master_rev"`
	Records   []MasterRecord `json:"records"`
	// Next, when set, is the after= of the next page.
	Next string `json:"next,omitempty"`
}

// MasterRecord is one master record as the agent received it, its body
// decoded for the kinds this build knows: Product for "product", Bin for
// "bin", StockLimit for "stock_limit", Document for the document kinds
// (purchase_order, pick_list, transfer …), Profile (the YAML text) for
// "device_profile", User for "user" (never its password hash), else Body
// (base64). A deleted record (listed with deleted=true) has none of them.
type MasterRecord struct {
	Key        string            `json:"key"`
	Rev        uint64            `json:"rev"`
	Deleted    bool              `json:"deleted,omitempty"`
	Product    *MasterProduct    `json:"product,omitempty"`
	Bin        *MasterBin        `json:"bin,omitempty"`
	StockLimit *MasterStockLimit `json:"stock_limit,omitempty"`
	Profile    string            `json:"profile,omitempty"`
	// Document is a cloud document to work (kinds purchase_order,
	// purchase_return, pick_list, transfer, count_plan; key its number).
	Document *MasterDocument `json:"document,omitempty"`
	User     *MasterUser     `json:"user,omitempty"`
	Body     []byte          `json:"body,omitempty"`
}

// MasterUser is a user allowed to work at the site (kind "user", key the
// user name), without the password hash the agent keeps for signing in
// offline.
type MasterUser struct {
	DisplayName        string   `json:"display_name"`
	Roles              []string `json:"roles"`
	Permissions        []string `json:"permissions"`
	Disabled           bool     `json:"disabled"`
	MustChangePassword bool     `json:"must_change_password"`
	MaxDiscountPercent int32    `json:"max_discount_percent"`
}

// MasterProduct is a SKU as the cloud publishes it (syncproto
// ProductRecord). Prices are in fen per Unit; the record's key is the SKU.
type MasterProduct struct {
	Name           string       `json:"name"`
	Unit           string       `json:"unit"`
	Price          int64        `json:"price"`
	WholesalePrice int64        `json:"wholesale_price"`
	VATRate        int32        `json:"vat_rate"`
	GTINs          []string     `json:"gtins"`
	Packs          []MasterPack `json:"packs,omitempty"`
	Product        string       `json:"product,omitempty"`
	Attrs          []string     `json:"attrs,omitempty"`
	LotTracked     bool         `json:"lot_tracked,omitempty"`
	ShelfLifeDays  int32        `json:"shelf_life_days,omitempty"`
	SerialTracked  bool         `json:"serial_tracked,omitempty"`
	ByWeight       bool         `json:"by_weight,omitempty"`
	WeightDecimals int32        `json:"weight_decimals,omitempty"`
	PLU            string       `json:"plu,omitempty"`
}

// MasterPack is a larger unit of a SKU: Factor base units, and the
// barcodes on it.
type MasterPack struct {
	Unit   string   `json:"unit"`
	Factor int64    `json:"factor"`
	GTINs  []string `json:"gtins"`
}

// MasterBin is a storage location of the agent's site; the key is its code.
type MasterBin struct {
	Name     string `json:"name"`
	Disabled bool   `json:"disabled,omitempty"`
}

// MasterStockLimit is the stock the site keeps of a SKU (the key), in base
// units; 0 means no limit.
type MasterStockLimit struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// SetMaster makes GET /api/v1/master/{kind} list m's records. New calls it
// when the ledger is a MasterLister.
func (s *Server) SetMaster(m MasterLister) { s.master = m }

// MasterInput asks for a page of the master records of a kind.
type MasterInput struct {
	Kind    string `path:"kind" doc:"product, bin, stock_limit, device_profile, user, purchase_order, …"`
	After   string `query:"after" doc:"Continue after this key (the next of the previous page)."`
	Limit   string `query:"limit" doc:"1 … 5000, default 500."`
	Deleted string `query:"deleted" doc:"true adds tombstones."`
}

type masterOutput struct{ Body MasterResponse }

func (s *Server) registerMaster() {
	Register(s, huma.Operation{OperationID: "master", Method: http.MethodGet, Path: "/api/v1/master/{kind}",
		Summary: "Master records the agent holds 主数据", Tags: []string{"master data 主数据"}, Errors: []int{400, 401, 404},
		Description: "In key order, decoded. The site's users (kind user, never their password hashes) need a signed-in " +
			"user or a device token; the other kinds are open on the LAN."}, AccessOpen, s.masterList)
}

// masterList lists a page of the master records of the kind in the
// path: ?after=KEY continues after a key, ?limit= (1 … MaxMasterPage,
// default DefaultMasterPage) bounds the page, ?deleted=true includes
// tombstones.
func (s *Server) masterList(ctx context.Context, in *MasterInput) (*masterOutput, error) {
	if s.master == nil {
		return nil, &httpx.Problem{Status: http.StatusNotFound, Reason: "no_master_data",
			Msg:   "this agent keeps no master data",
			MsgZH: "该节点不保存主数据"}
	}
	kind := in.Kind
	if err := syncproto.ValidateMasterRecord(&pb.MasterRecord{Kind: kind, Key: "k", Revision: 1}); err != nil {
		return nil, httpx.BadField("path.kind", "bad_kind",
			fmt.Sprintf("%q is not a master record kind (product, bin, stock_limit, device_profile, …)", kind),
			fmt.Sprintf("%q 不是主数据类型（product、bin、stock_limit、device_profile 等）", kind))
	}
	if _, ok := session.From(ctx); !ok && kind == syncproto.KindUser {
		return nil, errUnauthenticated
	}
	limit := DefaultMasterPage
	if v := in.Limit; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxMasterPage {
			return nil, httpx.BadField("query.limit", "bad_limit",
				fmt.Sprintf("limit %q: want 1 … %d", v, MaxMasterPage),
				fmt.Sprintf("limit %q 无效：应在 1 到 %d 之间", v, MaxMasterPage))
		}
		limit = n
	}
	withDeleted := in.Deleted == "true"
	rev := s.master.MasterRev()
	recs, err := s.master.MasterRecordsAfter(ctx, kind, in.After, limit)
	if err != nil {
		return nil, err
	}
	out := MasterResponse{Kind: kind, MasterRev: rev, Records: make([]MasterRecord, 0, len(recs))}
	for _, rec := range recs {
		if rec.GetDeleted() && !withDeleted {
			continue
		}
		out.Records = append(out.Records, masterRecord(rec))
	}
	if len(recs) == limit {
		out.Next = recs[len(recs)-1].GetKey()
	}
	return &masterOutput{Body: out}, nil
}

// masterRecord decodes rec's body for the kinds this build knows. The
// ledger stored only records that passed their kind's checks; one that
// does not decode anyway is shown as its raw body.
func masterRecord(rec *pb.MasterRecord) MasterRecord {
	m := MasterRecord{Key: rec.GetKey(), Rev: rec.GetRevision(), Deleted: rec.GetDeleted()}
	if m.Deleted {
		return m
	}
	body := rec.GetBody()
	switch rec.GetKind() {
	case syncproto.KindProduct:
		var p pb.ProductRecord
		if proto.Unmarshal(body, &p) == nil {
			m.Product = masterProduct(&p)
			return m
		}
	case syncproto.KindBin:
		var b pb.BinRecord
		if proto.Unmarshal(body, &b) == nil {
			m.Bin = &MasterBin{Name: b.GetName(), Disabled: b.GetDisabled()}
			return m
		}
	case syncproto.KindStockLimit:
		var l pb.StockLimitRecord
		if proto.Unmarshal(body, &l) == nil {
			m.StockLimit = &MasterStockLimit{Min: l.GetMin(), Max: l.GetMax()}
			return m
		}
	case syncproto.KindDeviceProfile:
		m.Profile = string(body)
		return m
	case syncproto.KindUser:
		// Never the raw body: it holds the password hash.
		var u pb.UserRecord
		if proto.Unmarshal(body, &u) != nil {
			return m
		}
		m.User = &MasterUser{DisplayName: u.GetDisplayName(), Roles: u.GetRoles(), Permissions: u.GetPermissions(),
			Disabled: u.GetDisabled(), MustChangePassword: u.GetMustChangePassword(), MaxDiscountPercent: u.GetMaxDiscountPercent()}
		if m.User.Roles == nil {
			m.User.Roles = []string{}
		}
		if m.User.Permissions == nil {
			m.User.Permissions = []string{}
		}
		return m
	case syncproto.KindPurchaseOrder, syncproto.KindPurchaseReturn, syncproto.KindPickList, syncproto.KindTransfer, syncproto.KindCountPlan,
		syncproto.KindAssembly, syncproto.KindDisassembly:
		var d pb.DocumentRecord
		if proto.Unmarshal(body, &d) == nil {
			m.Document = masterDocument(&d)
			return m
		}
	}
	m.Body = body
	return m
}

func masterProduct(p *pb.ProductRecord) *MasterProduct {
	out := &MasterProduct{Name: p.GetName(), Unit: p.GetUnit(), Price: p.GetPrice(), WholesalePrice: p.GetWholesalePrice(),
		VATRate: p.GetVatRate(), GTINs: p.GetGtins(), Product: p.GetProduct(), Attrs: p.GetAttrs(),
		LotTracked: p.GetLotTracked(), ShelfLifeDays: p.GetShelfLifeDays(), SerialTracked: p.GetSerialTracked(),
		ByWeight: p.GetByWeight(), WeightDecimals: p.GetWeightDecimals(), PLU: p.GetPlu()}
	if out.GTINs == nil {
		out.GTINs = []string{}
	}
	for _, pk := range p.GetPacks() {
		gs := pk.GetGtins()
		if gs == nil {
			gs = []string{}
		}
		out.Packs = append(out.Packs, MasterPack{Unit: pk.GetUnit(), Factor: pk.GetFactor(), GTINs: gs})
	}
	return out
}

// MasterDocument is a cloud document addressed to the agent's site
// (syncproto DocumentRecord): a purchase order to receive, a purchase
// return, a pick list, a transfer, a count plan. Work against a line is
// recorded by movements whose doc is "NUMBER#LINE" (CG20261125-0001#2).
type MasterDocument struct {
	Partner          string          `json:"partner,omitempty"`
	PartnerName      string          `json:"partner_name,omitempty"`
	Date             string          `json:"date,omitempty"`
	ExpectedDate     string          `json:"expected_date,omitempty"`
	TolerancePercent int32           `json:"tolerance_percent"`
	FromSite         string          `json:"from_site,omitempty"`
	ToSite           string          `json:"to_site,omitempty"`
	Ref              string          `json:"ref,omitempty"`
	Blind            bool            `json:"blind,omitempty"`
	Bins             []string        `json:"bins,omitempty"`
	Note             string          `json:"note,omitempty"`
	Lines            []MasterDocLine `json:"lines"`
}

// MasterDocLine is a line of a document: Qty in Unit, Factor base units
// each, QtyBase = Qty × Factor.
type MasterDocLine struct {
	Line    int32  `json:"line"`
	SKU     string `json:"sku"`
	Name    string `json:"name,omitempty"`
	Unit    string `json:"unit"`
	Factor  int64  `json:"factor"`
	Qty     int64  `json:"qty"`
	QtyBase int64  `json:"qty_base"`
	Bin     string `json:"bin,omitempty"`
	Lot     string `json:"lot,omitempty"`
	// Component marks a component of an assembly or disassembly.
	Component bool `json:"component,omitempty"`
}

func masterDocument(r *pb.DocumentRecord) *MasterDocument {
	out := &MasterDocument{Partner: r.GetPartner(), PartnerName: r.GetPartnerName(), Date: r.GetDate(),
		ExpectedDate: r.GetExpectedDate(), TolerancePercent: r.GetTolerancePercent(), FromSite: r.GetFromSite(),
		ToSite: r.GetToSite(), Ref: r.GetRef(), Blind: r.GetBlind(), Bins: r.GetBins(), Note: r.GetNote(), Lines: []MasterDocLine{}}
	for _, l := range r.GetLines() {
		out.Lines = append(out.Lines, MasterDocLine{Line: l.GetLine(), SKU: l.GetSku(), Name: l.GetName(), Unit: l.GetUnit(),
			Factor: l.GetFactor(), Qty: l.GetQty(), QtyBase: l.GetQtyBase(), Bin: l.GetBin(), Lot: l.GetLot(), Component: l.GetComponent()})
	}
	return out
}
