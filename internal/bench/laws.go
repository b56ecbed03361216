package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// lawPhrases make generated article text: the library's words, so that
// common terms are common and the rare ones planted are rare.
var lawPhrases = []string{"排放污染物的企业事业单位", "应当采取措施", "防治在生产建设中产生的废气", "废水", "废渣", "粉尘", "恶臭气体",
	"噪声", "振动", "建立环境保护责任制度", "明确单位负责人的责任", "按照国家有关规定", "安装使用监测设备", "保证监测设备正常运行",
	"保存原始监测记录", "依法实行排污许可管理制度", "未取得排污许可证的", "不得排放污染物", "县级以上人民政府", "生态环境主管部门",
	"应当依法公开", "重点排污单位", "主要污染物的名称", "排放方式", "排放浓度和总量", "超标排放情况", "防治污染设施的建设和运行情况"}

// benchLaws: search over a generated library, through the real handler.
func benchLaws(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench laws", "bench laws [--docs 2000] [--articles 100] [--db DSN] [--n 300]", env.Env)
	docs := fs.Int("docs", 2000, "documents to generate when the library has fewer")
	per := fs.Int("articles", 100, "articles per document")
	dsn := fs.String("db", "", "database (default: a new SQLite file)")
	reqs := fs.Int("n", 300, "requests per query")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "laws")
	if err != nil {
		return err
	}
	defer st.Close()
	have, err := st.Laws(ctx, store.LawFilter{})
	if err != nil {
		return err
	}
	sys := model.SystemActor()
	rng := rand.New(rand.NewPCG(7, 11))
	if len(have) < *docs {
		t0 := time.Now()
		for i := len(have); i < *docs; i++ {
			l, err := st.CreateLaw(ctx, sys, model.LawInput{Title: fmt.Sprintf("生成的环境法规第%d号", i+1), Kind: model.LawKinds[i%len(model.LawKinds)],
				Issuer: "生成数据", EffectiveOn: "2020-01-01"})
			if err != nil {
				return err
			}
			var b strings.Builder
			for a := 1; a <= *per; a++ {
				if a%20 == 1 {
					fmt.Fprintf(&b, "第%d章　第%d章\n", a/20+1, a/20+1)
				}
				fmt.Fprintf(&b, "第%d条　", a)
				for k := 0; k < 4+rng.IntN(5); k++ {
					b.WriteString(lawPhrases[rng.IntN(len(lawPhrases))] + "，")
				}
				// One article in the whole library holds each rare term.
				if i == *docs/2 && a == *per/2 {
					b.WriteString("中华鲟洄游通道保护")
				}
				b.WriteString("。\n")
			}
			if _, _, err := st.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "生成", EffectiveOn: "2020-01-01", Text: b.String()}); err != nil {
				return err
			}
			if (i+1)%200 == 0 {
				fmt.Fprintf(env.Stdout, "\r%d documents", i+1)
			}
		}
		fmt.Fprintf(env.Stdout, "\ngenerated %d documents of %d articles in %s\n", *docs-len(have), *per, time.Since(t0).Round(time.Second))
	}
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "GET /api/v1/search/laws on %s, %d documents × %d articles, %d sequential requests each\n", st.Dialect(), *docs, *per, *reqs)
	for _, q := range []struct{ label, q string }{
		{"common, 5 characters", "排放污染物"},
		{"rare, 5 characters (1 article)", "中华鲟洄游"},
		{"absent, 4 characters", "核聚变堆"},
		{"title, 4 characters", "环境法规"},
		{"common, 2 characters", "废水"},
		{"rare, 2 characters (1 article)", "鲟洄"},
		{"absent, 2 characters", "聚变"},
	} {
		lat, body, err := timeGets(srv, "/api/v1/search/laws?q="+url.QueryEscape(q.q), "", *reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", q.label, err)
		}
		n := strings.Count(string(body), `"law_id"`)
		printLat(env, fmt.Sprintf("%s (%d hits)", q.label, n), lat)
	}
	return nil
}

// benchAnnounce: an announcement published to every enterprise account at
// province scale, and its read-receipt table.
func benchAnnounce(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench announce", "bench announce [--accounts 100000] [--db DSN] [--n 100]", env.Env)
	accounts := fs.Int("accounts", 100_000, "enterprise accounts to reach")
	dsn := fs.String("db", "", "database (default: a new SQLite file)")
	reqs := fs.Int("n", 100, "requests for the receipts")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "announce")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := fillTo(ctx, env, st, *accounts); err != nil {
		return err
	}
	made, err := st.GenerateAccounts(ctx, *accounts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "added %d enterprise accounts\n", made)
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	stamp := time.Now().UnixNano()
	sys := model.SystemActor()
	admin, err := srv.Auth.CreateUser(ctx, sys, model.NewUser{Username: fmt.Sprintf("bench-%d-a", stamp), Password: "benchmark password", Role: model.RoleAdmin,
		DisplayName: "生态环境局"})
	if err != nil {
		return err
	}
	assoc, err := srv.Auth.CreateUser(ctx, sys, model.NewUser{Username: fmt.Sprintf("bench-%d-b", stamp), Password: "benchmark password",
		Role: model.RoleAssociation, RegionID: &regions[0]})
	if err != nil {
		return err
	}
	reach, err := st.AnnouncementReach(ctx, model.Actor{User: admin}, model.Audience{Roles: []model.Role{model.RoleEnterprise}})
	if err != nil {
		return err
	}
	t0 := time.Now()
	x, err := st.PublishAnnouncement(ctx, model.Actor{User: admin}, model.AnnouncementInput{Kind: "rule_change", Title: "排污许可执行报告提醒",
		Body: "请按期提交执行报告。", Audience: model.Audience{Roles: []model.Role{model.RoleEnterprise}}})
	if err != nil {
		return err
	}
	d := time.Since(t0)
	fmt.Fprintf(env.Stdout, "published to %d accounts (%d enterprises; preview said %d) on %s in %s: each has it in its notices when the call returns\n",
		x.Recipients, reach.Enterprises, reach.Accounts, st.Dialect(), d.Round(time.Millisecond))
	for _, c := range []struct {
		label string
		u     *model.User
	}{{"bureau", admin}, {"association (largest town)", assoc}} {
		_, token, err := st.CreateToken(ctx, model.Actor{User: c.u}, c.u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		if err != nil {
			return err
		}
		lat, _, err := timeGets(srv, fmt.Sprintf("/api/v1/announcements/%d/receipts", x.ID), token, *reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
		printLat(env, "receipts, "+c.label, lat)
	}
	return benchCasePush(ctx, env, st, srv, admin, *reqs)
}

// benchCasePush publishes a technology case that fits every key discharge
// unit with VOCs or COD among its main pollutants (the widest push a case
// makes) and times the pages that follow: the unit's pushed box, the
// library and the bureau's readers table.
func benchCasePush(ctx context.Context, env Env, st *store.Store, srv http.Handler, admin *model.User, reqs int) error {
	bureau := model.Actor{User: admin}
	c, err := st.SubmitCase(ctx, bureau, model.CaseInput{Title: "涂装废气沸石转轮＋RTO 治理（基准测试）", Pollutants: []string{"vocs", "cod"},
		Technique: "基准测试", Source: "基准测试", Figures: []model.CaseFigure{{Name: "非甲烷总烃", Unit: "mg/m³", Before: 85, After: 12}}})
	if err != nil {
		return err
	}
	t0 := time.Now()
	c, err = st.ReviewCase(ctx, bureau, c.ID, model.CaseReview{Decision: "publish"})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "case pushed to %d key discharge units on %s in %s (recipient rows and their accounts' notices in one transaction)\n",
		c.Recipients, st.Dialect(), time.Since(t0).Round(time.Millisecond))
	readers, err := st.CaseReaders(ctx, bureau, c.ID)
	if err != nil || len(readers) == 0 {
		return fmt.Errorf("no readers: %v", err)
	}
	unit, err := st.UserByUsername(ctx, fmt.Sprintf("gen-%d", readers[len(readers)-1].EnterpriseID))
	if err != nil {
		return fmt.Errorf("the account of a unit the case reached: %w", err)
	}
	for _, q := range []struct {
		label, path string
		u           *model.User
	}{
		{"cases pushed to a unit", "/api/v1/cases?box=pushed", unit},
		{"case library, by pollutant", "/api/v1/cases?pollutant=vocs", unit},
		{"case readers, bureau", fmt.Sprintf("/api/v1/cases/%d/readers", c.ID), admin},
	} {
		_, token, err := st.CreateToken(ctx, model.Actor{User: q.u}, q.u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		if err != nil {
			return err
		}
		lat, body, err := timeGets(srv, q.path, token, reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", q.label, err)
		}
		printLat(env, fmt.Sprintf("%s (%d rows)", q.label, strings.Count(string(body), `"read_at":`)), lat)
	}
	return nil
}
