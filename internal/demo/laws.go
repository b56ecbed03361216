package demo

import (
	"context"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Catalogue is the law library's seed: the documents of the reference
// list with their dates. Dates the reference marks "check" carry a note.
var Catalogue = []model.LawInput{
	{Title: "中华人民共和国环境保护法", ShortTitle: "环境保护法", Kind: "law", Issuer: "全国人民代表大会常务委员会", PromulgatedOn: "2014-04-24", EffectiveOn: "2015-01-01", Note: "2014年4月24日修订"},
	{Title: "中华人民共和国大气污染防治法", ShortTitle: "大气污染防治法", Kind: "law", Issuer: "全国人民代表大会常务委员会", PromulgatedOn: "2015-08-29", EffectiveOn: "2016-01-01", Note: "2015年8月29日修订，2018年10月26日修正"},
	{Title: "中华人民共和国水污染防治法", ShortTitle: "水污染防治法", Kind: "law", Issuer: "全国人民代表大会常务委员会", PromulgatedOn: "2017-06-27", EffectiveOn: "2018-01-01", Note: "2017年6月27日修正（日期待核实）"},
	{Title: "中华人民共和国固体废物污染环境防治法", ShortTitle: "固体废物污染环境防治法", Kind: "law", Issuer: "全国人民代表大会常务委员会", PromulgatedOn: "2020-04-29", EffectiveOn: "2020-09-01", Note: "2020年4月29日修订"},
	{Title: "中华人民共和国噪声污染防治法", ShortTitle: "噪声污染防治法", Kind: "law", Issuer: "全国人民代表大会常务委员会", AdoptedOn: "2021-12-24", EffectiveOn: "2022-06-05"},
	{Title: "中华人民共和国土壤污染防治法", ShortTitle: "土壤污染防治法", Kind: "law", Issuer: "全国人民代表大会常务委员会", AdoptedOn: "2018-08-31", EffectiveOn: "2019-01-01"},
	{Title: "中华人民共和国环境影响评价法", ShortTitle: "环境影响评价法", Kind: "law", Issuer: "全国人民代表大会常务委员会", PromulgatedOn: "2018-12-29", EffectiveOn: "2018-12-29", Note: "2016年7月2日、2018年12月29日修正（施行日期待核实）"},
	{Title: "中华人民共和国环境保护税法", ShortTitle: "环境保护税法", Kind: "law", Issuer: "全国人民代表大会常务委员会", AdoptedOn: "2016-12-25", EffectiveOn: "2018-01-01", Note: "日期待核实"},
	{Title: "排污许可管理条例", Kind: "administrative_regulation", Issuer: "国务院", EffectiveOn: "2021-03-01"},
	{Title: "排污许可管理办法", Kind: "departmental_rule", Issuer: "生态环境部", DocNumber: "生态环境部令第32号", EffectiveOn: "2024-07-01"},
	{Title: "企业环境信息依法披露管理办法", Kind: "departmental_rule", Issuer: "生态环境部", EffectiveOn: "2022-02-08"},
	{Title: "环境监管重点单位名录管理办法", Kind: "departmental_rule", Issuer: "生态环境部", EffectiveOn: "2023-01-01"},
	{Title: "国家危险废物名录（2025年版）", Kind: "departmental_rule", Issuer: "生态环境部", EffectiveOn: "2025-01-01"},
	{Title: "碳排放权交易管理暂行条例", Kind: "administrative_regulation", Issuer: "国务院", EffectiveOn: "2024-05-01"},
	{Title: "温室气体自愿减排交易管理办法（试行）", Kind: "departmental_rule", Issuer: "生态环境部", EffectiveOn: "2023-10-01", Note: "2023年10月发布（具体日期待核实）"},
	{Title: "浙江省生态环境保护条例", Kind: "local_regulation", Issuer: "浙江省人民代表大会常务委员会", EffectiveOn: "2022-08-01"},
}

// sampleVersions are demo texts that show the library's structure —
// chapters, articles, versions, comparison. They are marked as sample
// text (source "sample") and are not the laws' wording.
var sampleVersions = map[string][]model.VersionInput{
	"中华人民共和国环境保护法": {{Label: "2014年修订（示例文本）", EffectiveOn: "2015-01-01", Source: "sample", Text: `【示例文本，非法律原文】
第一章　总则
第一条　（示例）本条说明立法目的：保护和改善环境，防治污染和其他公害。
第二条　（示例）本条说明本法所称环境的范围。
第二章　监督管理
第十条　（示例）本条说明环境保护主管部门的统一监督管理职责。
第四章　防治污染和其他公害
第四十二条　（示例）本条说明排放污染物的企业事业单位应当采取措施，防治生产建设或者其他活动中产生的污染。
第四十五条　（示例）本条说明国家依照法律规定实行排污许可管理制度。
第五章　信息公开和公众参与
第五十五条　（示例）本条说明重点排污单位应当如实公开主要污染物的排放情况。`}},
	"中华人民共和国大气污染防治法": {
		{Label: "2015年修订（示例文本）", EffectiveOn: "2016-01-01", Source: "sample", Text: `【示例文本，非法律原文】
第一章　总则
第一条　（示例）本条说明立法目的。
第二章　大气污染防治标准和限期达标规划
第九条　（示例）本条说明大气环境质量标准的制定。
第四章　大气污染防治措施
第四十五条　（示例）本条说明产生含挥发性有机物废气的生产和服务活动，应当在密闭空间或者设备中进行。`},
		{Label: "2018年修正（示例文本）", EffectiveOn: "2018-10-26", Source: "sample", Text: `【示例文本，非法律原文】
第一章　总则
第一条　（示例）本条说明立法目的，推进生态文明建设。
第二章　大气污染防治标准和限期达标规划
第九条　（示例）本条说明大气环境质量标准的制定。
第四章　大气污染防治措施
第四十五条　（示例）本条说明产生含挥发性有机物废气的生产和服务活动，应当在密闭空间或者设备中进行，并按照规定安装、使用污染防治设施。
第四十五条之一　（示例）本条为演示“条之一”的编号。`}},
}

// seedLaws writes the catalogue and the sample versions.
func seedLaws(ctx context.Context, s *store.Store) error {
	a := model.SystemActor()
	for _, in := range Catalogue {
		l, err := s.CreateLaw(ctx, a, in)
		if err != nil {
			return err
		}
		for _, v := range sampleVersions[in.Title] {
			if _, _, err := s.AddLawVersion(ctx, a, l.ID, v); err != nil {
				return err
			}
		}
	}
	return nil
}
