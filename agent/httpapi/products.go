package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// ProductRequest is one entry of the body of PUT /api/v1/products, which is
// a JSON array of them. GTIN has 8, 12, 13 or 14 digits with a valid check
// digit and is stored as 14; SKU is required; Name, Unit, Price and Factor
// are optional. Price is the retail price in fen per one Unit (per kg for
// goods catalogued in kg), 0 or absent when unknown; never negative.
// Factor makes GTIN a pack's barcode: a scan of it books Factor of the
// SKU's quantities (24 for a case of 24; grams for goods sold by weight);
// absent, 0 or 1 for the SKU's own barcode.
//
// PUT /api/v1/products is how a standalone agent, one without a cloud,
// gets its catalogue. An agent synced to a cloud gets it from the cloud's
// master data (down/master: product records with their packs' barcodes,
// which the HQ console edits); a product record replaces every entry of
// its SKU, so entries put here under a SKU the cloud publishes do not
// last.
type ProductRequest struct {
	GTIN   string `json:"gtin"`
	SKU    string `json:"sku"`
	Name   string `json:"name,omitempty"`
	Unit   string `json:"unit,omitempty"`
	Price  int64  `json:"price,omitempty"`
	Factor int64  `json:"factor,omitempty"`
}

// PutProductsResponse is the body of a successful PUT /api/v1/products.
type PutProductsResponse struct {
	// Upserted is how many entries were inserted or replaced.
	Upserted int `json:"upserted"`
}

// ProductList is the body of PUT /api/v1/products.
type ProductList []ProductRequest

// check checks every entry (ProductRequest.check).
func (l *ProductList) check() error {
	for i := range *l {
		if err := (*l)[i].check(i); err != nil {
			return err
		}
	}
	return nil
}

// ProductInput names a GTIN.
type ProductInput struct {
	GTIN string `path:"gtin" doc:"8, 12, 13 or 14 digits with a valid check digit."`
}

type putProductsOutput struct{ Body PutProductsResponse }
type productOutput struct{ Body agent.Product }

func (s *Server) registerProducts() {
	tags := []string{"catalogue 商品目录"}
	Register(s, huma.Operation{OperationID: "put-products", Method: http.MethodPut, Path: "/api/v1/products",
		Summary: "Upsert catalogue entries 更新商品目录", Tags: tags, MaxBodyBytes: MaxProductsBodyBytes, Errors: []int{400, 413},
		Description: "All or none; answered once durable. The catalogue of a standalone agent: an agent synced to a cloud " +
			"gets it from the cloud's master data, whose product records replace the entries of their SKUs."},
		AccessCaller, s.putProducts)
	Register(s, huma.Operation{OperationID: "get-product", Method: http.MethodGet, Path: "/api/v1/products/{gtin}",
		Summary: "A GTIN's catalogue entry 按条码查商品", Tags: tags, Errors: []int{400, 404},
		Description: "factor is set for a pack's barcode."}, AccessOpen, s.product)
}

// putProducts upserts a list of catalogue entries, all or none (the
// catalogue of a standalone agent; see ProductRequest). The answer is 200
// once they are durable.
func (s *Server) putProducts(ctx context.Context, in *struct{ Body ProductList }) (*putProductsOutput, error) {
	ps := make([]agent.Product, len(in.Body))
	for i, p := range in.Body {
		ps[i] = agent.Product{GTIN: p.GTIN, SKU: p.SKU, Name: p.Name, Unit: p.Unit, Price: p.Price, Factor: p.Factor}
	}
	if err := s.ledger.PutProducts(ctx, ps); err != nil {
		return nil, err
	}
	return &putProductsOutput{Body: PutProductsResponse{Upserted: len(ps)}}, nil
}

// product answers the catalogue entry of the GTIN in the path, in its
// 14-digit form; 404 if there is none.
func (s *Server) product(ctx context.Context, in *ProductInput) (*productOutput, error) {
	gtin, err := agent.NormalizeGTIN(in.GTIN)
	if err != nil {
		p := badGTIN("the GTIN in the path", "路径中的 GTIN", err)
		p.Field = "path.gtin"
		return nil, p
	}
	p, found, err := s.ledger.ProductByGTIN(ctx, gtin)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &httpx.Problem{
			Status: http.StatusNotFound,
			Reason: "unknown_product",
			Msg:    fmt.Sprintf("no product with GTIN %s in the catalogue", gtin),
			MsgZH:  fmt.Sprintf("商品目录中没有 GTIN 为 %s 的商品", gtin),
		}
	}
	return &productOutput{Body: p}, nil
}

// check checks what the API itself requires of the i-th entry; the
// ledger checks the rest (lengths, characters, duplicates) and answers
// agent.ErrInvalid.
func (p *ProductRequest) check(i int) error {
	switch {
	case p.GTIN == "":
		return missingIn(i, "gtin")
	case p.SKU == "":
		return missingIn(i, "sku")
	}
	if _, err := agent.NormalizeGTIN(p.GTIN); err != nil {
		bad := badGTIN(fmt.Sprintf("entry %d: field \"gtin\"", i), fmt.Sprintf("第 %d 项的字段 \"gtin\"", i), err)
		bad.Field = fmt.Sprintf("body[%d].gtin", i)
		return bad
	}
	if p.Factor < 0 {
		return httpx.BadField(fmt.Sprintf("body[%d].factor", i), "bad_factor",
			fmt.Sprintf("entry %d: field \"factor\" is %d: a pack holds a positive number of the SKU's units (absent, 0 or 1: the SKU's own barcode)", i, p.Factor),
			fmt.Sprintf("第 %d 项的字段 \"factor\" 为 %d：每箱/每包所含数量须为正数（不填、0 或 1 表示单品条码）", i, p.Factor))
	}
	if p.Price < 0 {
		return httpx.BadField(fmt.Sprintf("body[%d].price", i), "bad_price",
			fmt.Sprintf("entry %d: field \"price\" is %d: a price in fen is never negative (0 or absent: unknown)", i, p.Price),
			fmt.Sprintf("第 %d 项的字段 \"price\" 为 %d：价格（单位：分）不能为负数（0 或不填表示未知）", i, p.Price))
	}
	return nil
}

func missingIn(i int, field string) *httpx.Problem {
	return httpx.BadField(fmt.Sprintf("body[%d].%s", i, field), "missing_field",
		fmt.Sprintf("entry %d: field %q is required", i, field),
		fmt.Sprintf("第 %d 项缺少必填字段 %q", i, field))
}

// badGTIN explains a malformed GTIN; where names it.
func badGTIN(where, whereZH string, err error) *httpx.Problem {
	return httpx.BadRequest("bad_gtin",
		fmt.Sprintf("%s is not a valid GTIN: %v", where, err),
		fmt.Sprintf("%s不是有效的 GTIN（应为 8、12、13 或 14 位数字且校验位正确）", whereZH))
}
