package seed

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// ErrSeeded is returned by Apply when the tenant has master data already:
// a chain is written once, into an empty tenant.
var ErrSeeded = errors.New("the tenant has master data already")

// Counts says how many records of each kind Apply wrote.
type Counts struct {
	Units, Categories, Sites, Bins, Products, SKUs, StockLimits, Suppliers, Customers, Accounts int
}

// Apply writes the chain's master data through md as p, each record with
// masterdata.Create (so each is checked, audited and published to agents
// like one the console creates), in an order that lets each refer to the
// ones before it. p needs the edit permissions of every kind (an
// administrator). It returns ErrSeeded, writing nothing, when the tenant
// has a site already, and the first refusal otherwise, naming the record;
// what was written before it stays.
func (c *Chain) Apply(ctx context.Context, md *masterdata.Service, p *auth.Principal) (Counts, error) {
	var n Counts
	if _, total, err := masterdata.List(ctx, md, masterdata.Sites, p, masterdata.ListQuery{Limit: 1}); err != nil {
		return n, fmt.Errorf("seed: %w", err)
	} else if total > 0 {
		return n, fmt.Errorf("seed: %w", ErrSeeded)
	}
	for i := range c.Units {
		if err := create(ctx, md, masterdata.Units, p, &c.Units[i], c.Units[i].Code, &n.Units); err != nil {
			return n, err
		}
	}
	catID := map[string]int64{}
	for _, cat := range c.Categories {
		v := masterdata.Category{Meta: masterdata.Meta{Code: cat.Code, Name: cat.Name}, ParentID: catID[cat.Parent]}
		got, err := masterdata.Create(ctx, md, masterdata.Categories, p, &v)
		if err != nil {
			return n, fmt.Errorf("seed: category %s: %w", cat.Code, err)
		}
		catID[cat.Code] = got.ID
		n.Categories++
	}
	for i := range c.Sites {
		if err := create(ctx, md, masterdata.Sites, p, &c.Sites[i], c.Sites[i].Code, &n.Sites); err != nil {
			return n, err
		}
	}
	for i := range c.Bins {
		if err := create(ctx, md, masterdata.Bins, p, &c.Bins[i], c.Bins[i].Site+"/"+c.Bins[i].Code, &n.Bins); err != nil {
			return n, err
		}
	}
	for i := range c.Products {
		v := c.Products[i].Product
		v.CategoryID = catID[c.Products[i].Category]
		if err := create(ctx, md, masterdata.Products, p, &v, v.Code, &n.Products); err != nil {
			return n, err
		}
		n.SKUs += len(v.SKUs)
	}
	for i := range c.StockLimits {
		l := &c.StockLimits[i]
		if err := create(ctx, md, masterdata.StockLimits, p, l, l.Site+"/"+l.SKU, &n.StockLimits); err != nil {
			return n, err
		}
	}
	for i := range c.Suppliers {
		if err := create(ctx, md, masterdata.Suppliers, p, &c.Suppliers[i], c.Suppliers[i].Code, &n.Suppliers); err != nil {
			return n, err
		}
	}
	for i := range c.Customers {
		if err := create(ctx, md, masterdata.Customers, p, &c.Customers[i], c.Customers[i].Code, &n.Customers); err != nil {
			return n, err
		}
	}
	for i := range c.Accounts {
		if err := create(ctx, md, masterdata.Accounts, p, &c.Accounts[i], c.Accounts[i].Code, &n.Accounts); err != nil {
			return n, err
		}
	}
	return n, nil
}

func create[T any](ctx context.Context, md *masterdata.Service, k *masterdata.Kind[T], p *auth.Principal, v *T, code string, count *int) error {
	if _, err := masterdata.Create(ctx, md, k, p, v); err != nil {
		en, _ := k.Title()
		return fmt.Errorf("seed: %s %s: %w", en, code, err)
	}
	*count++
	return nil
}

// ApplyUsers creates the chain's users through as, as p (who needs
// user.edit and every permission of their roles: an administrator), each
// with its role, its sites and its password as the first password, which
// the user signs in with and must then change, as every user created in
// the console. A user that exists already is left as it is. Password
// hashing is slow on purpose (about 0.1 s a user), so users are made two
// at a time.
func (c *Chain) ApplyUsers(ctx context.Context, as *auth.Service, p *auth.Principal) error {
	errs := make([]error, len(c.Users))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, u := range c.Users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = createUser(ctx, as, p, u)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func createUser(ctx context.Context, as *auth.Service, p *auth.Principal, u User) error {
	scope := auth.AllSites()
	if len(u.Sites) > 0 {
		scope = auth.SitesScope(u.Sites...)
	}
	_, _, err := as.CreateUser(ctx, p, auth.NewUser{Name: u.Name, DisplayName: u.DisplayName, Password: u.Password,
		Roles: []string{u.Role}, Scope: scope})
	if err != nil && !errors.Is(err, auth.ErrExists) {
		return fmt.Errorf("seed: user %s: %w", u.Name, err)
	}
	return nil
}
