package auth

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Users reach the sites they may work at as master records of kind
// "user" (DESIGN.md §4), with their password hash, so that a handheld can
// sign them in while offline. Every write of a user publishes it in the
// same transaction; a user whose scope no longer has a site gets a
// tombstone there.

// userSites returns where u's record goes: "" for every site.
func userSites(u User) []string {
	if u.Scope.All {
		return []string{""}
	}
	return u.Scope.Sites
}

// publishUser puts the master records of after (nil: deleted) and the
// tombstones of before's sites that after no longer has.
func (s *Service) publishUser(ctx context.Context, tx Tx, before *User, after *User) error {
	var recs []master.Record
	keep := map[string]bool{}
	if after != nil {
		perms, err := s.permissions(ctx, tx, *after)
		if err != nil {
			return err
		}
		discount, err := s.maxDiscount(ctx, tx, *after)
		if err != nil {
			return err
		}
		body := &pb.UserRecord{DisplayName: after.DisplayName, PasswordHash: after.PasswordHash, Roles: after.Roles,
			Disabled: after.Disabled, MustChangePassword: after.MustChangePassword, MaxDiscountPercent: discount}
		for _, p := range perms {
			body.Permissions = append(body.Permissions, string(p))
		}
		b, err := proto.Marshal(body)
		if err != nil {
			return err
		}
		for _, site := range userSites(*after) {
			keep[site] = true
			recs = append(recs, master.Record{Site: site, Kind: syncproto.KindUser, Key: after.Name, Body: b})
		}
	}
	if before != nil {
		for _, site := range userSites(*before) {
			if !keep[site] {
				recs = append(recs, master.Record{Site: site, Kind: syncproto.KindUser, Key: before.Name, Deleted: true})
			}
		}
	}
	for _, r := range recs {
		if err := master.Check(r); err != nil {
			return fmt.Errorf("publish user %q: %w", r.Key, err)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	_, err := tx.PutMaster(ctx, before0(before, after).Tenant, recs)
	return err
}

func before0(before, after *User) *User {
	if after != nil {
		return after
	}
	return before
}

// publishRoleHolders publishes again every user holding role, whose
// permissions changed.
func (s *Service) publishRoleHolders(ctx context.Context, tx Tx, tenant, role string) error {
	users, err := tx.Users(ctx, tenant)
	if err != nil {
		return err
	}
	for _, u := range users {
		for _, r := range u.Roles {
			if r == role {
				if err := s.publishUser(ctx, tx, nil, &u); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}
