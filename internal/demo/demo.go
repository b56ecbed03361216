// Package demo seeds a Haining-like county into an empty database so that a
// fresh `go run ./cmd/envhome` has something to show. Names are synthetic.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/model"
)

// County is the demo county: Haining, division code 330481.
const County = "330481"

// Towns are Haining's 4 streets and 8 towns. Their sub-codes are made up
// for the demo (suffix 0xx), not the official ones.
var Towns = []string{"硖石街道", "海洲街道", "海昌街道", "马桥街道",
	"许村镇", "长安镇", "周王庙镇", "丁桥镇", "斜桥镇", "袁花镇", "黄湾镇", "盐官镇"}

// Account is a seeded login.
type Account struct {
	Username, Password string
	Role               model.Role
}

// Seed fills an empty database and returns the demo accounts with their
// one-time passwords. It writes nothing into a database that holds data.
// When several instances start at once on one empty PostgreSQL database,
// the first to create the county seeds and the others answer nil.
func Seed(ctx context.Context, svc *auth.Service) ([]Account, error) {
	s := svc.Store
	empty, err := s.IsEmpty(ctx)
	if err != nil || !empty {
		return nil, err
	}
	a := model.SystemActor()
	county, err := s.CreateRegion(ctx, a, model.Region{Code: County, Name: "海宁市"})
	if model.IsCode(err, model.ErrConflict) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var haichang int64
	for i, name := range Towns {
		id, err := s.CreateRegion(ctx, a, model.Region{Code: fmt.Sprintf("%s%03d", County, i+1), Name: name, ParentID: &county})
		if err != nil {
			return nil, err
		}
		if name == "海昌街道" {
			haichang = id
		}
	}
	uscc, ok := model.BuildUSCC("91"+County, "MA2HN001")
	if !ok {
		return nil, fmt.Errorf("demo: bad credit code")
	}
	ent, err := s.CreateEnterprise(ctx, a, model.Enterprise{USCC: uscc, Name: "海宁示例新材料有限公司", RegionID: haichang})
	if err != nil {
		return nil, err
	}
	accounts := []model.NewUser{
		{Username: "bureau", DisplayName: "海宁生态环境执法队", Role: model.RoleAdmin},
		{Username: "haichang", DisplayName: "海昌街道环保协会", Role: model.RoleAssociation, RegionID: &haichang},
		{Username: "demo-enterprise", DisplayName: "海宁示例新材料有限公司", Role: model.RoleEnterprise, EnterpriseID: &ent.ID},
		{Username: "lecturer", DisplayName: "王教授（示例）", Role: model.RoleLecturer},
		{Username: "provider", DisplayName: "示例环保服务有限公司", Role: model.RoleProvider},
	}
	var out []Account
	for _, acc := range accounts {
		acc.Password = Password()
		if _, err := svc.CreateUser(ctx, a, acc); err != nil {
			return nil, err
		}
		out = append(out, Account{acc.Username, acc.Password, acc.Role})
	}
	return out, nil
}

// Password makes a random password that is easy to type on a phone.
func Password() string {
	const chars = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		b[i] = chars[n.Int64()]
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:])
}

// Print shows the demo logins once.
func Print(w io.Writer, baseURL string, accounts []Account) {
	fmt.Fprintf(w, "\nDemo data seeded. Log in at %s/login with (passwords are shown only now):\n", baseURL)
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-12s %-16s %s\n", a.Role, a.Username, a.Password)
	}
	fmt.Fprintln(w)
}
