package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/envhome/envhome/internal/model"
)

// Synthetic name parts: real-sounding, belonging to nobody.
var (
	firstChars = []rune("宏嘉华瑞恒泰盛鑫达源丰锦博远晟凯润东南金银盈合兴康永昌隆腾")
	// Each industry with the main pollutants such a works usually lists.
	industries = []struct {
		word, code string
		pollutants []string
	}{
		{"新材料", "C2929", []string{"vocs", "particulates"}}, {"精密电子", "C3985", []string{"cod", "vocs"}},
		{"半导体", "C3972", []string{"cod", "ammonia", "vocs"}}, {"航空部件", "C3744", []string{"vocs", "heavy_metals"}},
		{"生物医药", "C2761", []string{"cod", "ammonia", "vocs", "odour"}}, {"经编", "C1762", []string{"cod"}},
		{"皮革", "C1910", []string{"cod", "ammonia", "heavy_metals", "odour"}}, {"家纺", "C1771", []string{"cod"}},
		{"光电", "C3976", []string{"vocs"}}, {"电子信息", "C3989", []string{"vocs", "cod"}},
		{"智能装备", "C3491", []string{"vocs", "particulates"}}, {"印染", "C1713", []string{"cod", "ammonia", "nitrogen", "odour"}},
		{"包装材料", "C2231", []string{"cod", "vocs"}}, {"五金", "C3389", []string{"heavy_metals", "particulates"}},
		{"环保科技", "M7514", nil},
	}
	shopKinds = []struct{ word, code string }{
		{"小吃店", "H6299"}, {"洗衣店", "O8030"}, {"汽车修理店", "O8111"}, {"图文印刷店", "C2319"}, {"美发店", "O8040"},
		{"干洗店", "O8030"}, {"餐馆", "H6210"}, {"烘焙坊", "H6299"}, {"五金店", "F5274"}, {"家具店", "F5283"},
	}
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅")
)

// orgCode makes the i-th synthetic organisation code body (8 characters
// from the code alphabet), distinct for every i below 31^7.
func orgCode(prefix byte, i int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte{prefix, 0, 0, 0, 0, 0, 0, 0}
	for k := 7; k >= 1; k-- {
		b[k] = alphabet[i%31]
		i /= 31
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func personName(r *rand.Rand) string {
	n := string(pick(r, surnames)) + string(pick(r, givenChars))
	if r.IntN(2) == 0 {
		n += string(pick(r, givenChars))
	}
	return n
}

// Roster makes a synthetic county: companies and shops with valid credit
// codes spread over the given regions (the first takes the companies, as
// Haining's Smart Port community does), and managers for them. One
// manager serves every company; shops share managers, some serving two or
// three shops. The same seed gives the same county; start offsets the code
// sequence so that batches do not collide.
func Roster(seed uint64, companies, shops, managers int, regions []int64, start int) ([]model.RosterEnterprise, []model.RosterManager) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var ents []model.RosterEnterprise
	today := model.Date("2026-11-29")
	for i := 0; i < companies+shops; i++ {
		n := start + i
		e := model.Enterprise{Status: model.StatusActive, RegionID: regions[0]}
		if i < companies {
			ind := pick(r, industries)
			code, _ := model.BuildUSCC("91330481", orgCode('M', n))
			e.USCC, e.Kind, e.IndustryCode, e.Pollutants = code, model.KindCompany, ind.code, ind.pollutants
			e.Name = fmt.Sprintf("海宁%c%c%s有限公司", pick(r, firstChars), pick(r, firstChars), ind.word)
			switch x := r.IntN(10); {
			case x == 0:
				e.PermitClass = model.PermitKey
				e.KeyLists = []string{pick(r, []string{"water", "air"})}
				if r.IntN(3) == 0 {
					e.KeyLists = append(e.KeyLists, "risk")
				}
				// Rarer lists, so that a filter meets common, rare and absent
				// values (groundwater stays absent).
				if r.IntN(20) == 0 {
					e.KeyLists = append(e.KeyLists, "noise")
				}
				if r.IntN(1000) == 0 {
					e.KeyLists = append(e.KeyLists, "soil")
				}
			case x < 5:
				e.PermitClass = model.PermitSimplified
			default:
				e.PermitClass = model.PermitRegistration
			}
			if e.PermitClass != model.PermitRegistration {
				e.PermitNo = code + "001P"
				e.PermitValidTo = today.AddDays(r.IntN(5*365) - 90)
			}
			e.Address = fmt.Sprintf("海宁市海昌街道智慧港%d号", 1+r.IntN(400))
		} else {
			kind := pick(r, shopKinds)
			code, _ := model.BuildUSCC("92330481", orgCode('L', n))
			e.USCC, e.Kind, e.IndustryCode = code, model.KindShop, kind.code
			e.Name = fmt.Sprintf("海宁%c%c%s", pick(r, firstChars), pick(r, firstChars), kind.word)
			if r.IntN(5) < 3 || len(regions) == 1 {
				e.RegionID = regions[0]
			} else {
				e.RegionID = regions[1+r.IntN(len(regions)-1)]
			}
			if r.IntN(4) == 0 {
				e.PermitClass = model.PermitRegistration
			}
		}
		e.Normalize()
		ents = append(ents, model.RosterEnterprise{Row: i + 2, Enterprise: e})
	}
	var mgrs []model.RosterManager
	mobile := 13800000000 + start
	newManager := func(uscc string) model.Manager {
		issued := today.AddDays(-r.IntN(3 * 365))
		m := model.Manager{Name: personName(r), Mobile: fmt.Sprint(mobile), Role: model.ManagerAdministrator,
			Status: model.ManagerActive, AppointedOn: issued, CertNo: fmt.Sprintf("HN-%07d", mobile%10000000),
			CertIssuedOn: issued, CertExpiresOn: issued.AddDays(3 * 365)}
		mobile++
		if r.IntN(20) == 0 {
			m.Role = model.ManagerChiefOfficer
		}
		return m
	}
	for i := 0; i < companies && len(mgrs) < managers; i++ {
		mgrs = append(mgrs, model.RosterManager{Row: len(mgrs) + 2, USCC: ents[i].USCC, Manager: newManager(ents[i].USCC)})
	}
	for i := companies; i < companies+shops && len(mgrs) < managers; {
		m := newManager(ents[i].USCC)
		serves := 1 + r.IntN(3) // a manager for one to three neighbouring shops
		for k := 0; k < serves && i < companies+shops && len(mgrs) < managers; k++ {
			mgrs = append(mgrs, model.RosterManager{Row: len(mgrs) + 2, USCC: ents[i].USCC, Manager: m})
			i++
		}
	}
	return ents, mgrs
}
