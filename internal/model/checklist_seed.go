package model

// CountyChecklist is the county's self-inspection checklist as the demo
// and a new county start with it: REFERENCE.md's categories A–G, each item
// with the law or standard it rests on (named, not quoted: article numbers
// are for the law library to link).
func CountyChecklist() ChecklistInput {
	it := func(code, point, standard, basis, method, severity string, weight int, photo bool) ChecklistItem {
		return ChecklistItem{Code: code, Point: point, Standard: standard, Basis: basis, Method: method, Severity: severity, Weight: weight, PhotoRequired: photo}
	}
	const (
		epl   = "《中华人民共和国环境保护法》"
		eia   = "《中华人民共和国环境影响评价法》"
		pmt   = "《排污许可管理条例》"
		pmo   = "《排污许可管理办法》（生态环境部令第32号）"
		water = "《中华人民共和国水污染防治法》"
		air   = "《中华人民共和国大气污染防治法》"
		solid = "《中华人民共和国固体废物污染环境防治法》"
		noise = "《中华人民共和国噪声污染防治法》"
		disc  = "《企业环境信息依法披露管理办法》"
		zj    = "《浙江省生态环境保护条例》"
	)
	return ChecklistInput{
		Title: "企业环境保护自查表（县级通用）",
		Sections: []ChecklistSection{
			{Title: "A 许可与手续", Items: []ChecklistItem{
				it("A1", "建设项目环境影响评价文件已审批或备案", "环评批复（备案）文件齐全，与实际建设内容一致", eia, "records", "critical", 5, false),
				it("A2", "环评及批复提出的污染防治措施已落实", "逐项对照批复要求，措施均已建成并运行", eia, "look", "major", 4, true),
				it("A3", "“三同时”及竣工环境保护验收已完成", "验收报告已公开并在全国建设项目竣工环境保护验收信息平台备案", "《建设项目环境保护管理条例》", "records", "major", 4, false),
				it("A4", "排污前已取得排污许可证或完成排污登记", "持证（登记）排污，许可证在有效期内", pmt, "records", "critical", 5, false),
				it("A5", "排放口位置、数量、去向与许可一致", "无私设排放口，排放去向与许可证载明一致", pmt, "look", "critical", 5, true),
				it("A6", "排污许可证有效期管理", "到期前 6 个月内已申请延续", pmt, "records", "major", 3, false),
				it("A7", "按时提交排污许可执行报告", "年报、季报、月报按许可要求的频次和期限提交", pmo, "records", "major", 3, false),
				it("A8", "执行报告内容与监测数据、台账一致", "报告中的排放量、监测结果与原始记录相符", pmo, "records", "major", 3, false),
			}},
			{Title: "B 废水", Items: []ChecklistItem{
				it("B1", "废水治理设施正常运行", "设施运行正常，无闲置、停运或旁路", water, "look", "critical", 5, true),
				it("B2", "运行及加药记录完整", "每日运行、加药、维护记录齐全，异常时段有记录和报告", pmt, "records", "minor", 2, false),
				it("B3", "雨污分流", "雨水、污水管网分开，无混接、错接", water, "look", "major", 3, true),
				it("B4", "排放口规范化设置并有标志牌", "排放口规范化，设置环境保护图形标志", "《排污口规范化整治技术要求（试行）》", "look", "minor", 2, true),
				it("B5", "自动监测设备安装、联网并正常运维（重点排污单位）", "自动监测数据有效传输，运维记录齐全", water, "records", "major", 4, false),
				it("B6", "按许可频次开展手工监测", "监测点位、项目、频次符合自行监测方案", pmt, "records", "major", 3, false),
				it("B7", "监测报告及原始记录保存不少于 5 年", "报告和原始记录可查", pmt, "records", "minor", 2, false),
			}},
			{Title: "C 废气", Items: []ChecklistItem{
				it("C1", "废气收集系统负压运行并接入治理设施", "集气罩、管道完好，收集后进入治理设施", air, "look", "major", 4, true),
				it("C2", "无组织排放源封闭或采取有效控制措施", "物料密闭储存、输送，车间密闭", air, "look", "major", 3, true),
				it("C3", "厂区道路洒水、清扫有记录", "易起尘区域定期洒水、清扫并记录", air, "records", "minor", 1, false),
				it("C4", "使用低挥发性有机物含量原辅材料", "原辅材料 VOCs 含量符合国家标准，台账可查", air, "records", "major", 3, false),
				it("C5", "活性炭等吸附材料按期更换并有台账", "更换时间、数量与设计要求一致，废活性炭按危险废物管理", air, "records", "major", 3, true),
				it("C6", "重污染天气应急减排措施落实并记录", "按应急减排清单执行，记录完整", air, "records", "minor", 2, false),
				it("C7", "废气治理设施正常运行", "设施运行参数正常，无停运或旁路", air, "look", "critical", 5, true),
			}},
			{Title: "D 固体废物与危险废物", Items: []ChecklistItem{
				it("D1", "建立固体废物污染环境防治责任制度并明确责任人", "制度文件和责任人清单齐全", solid, "records", "minor", 2, false),
				it("D2", "贮存场所及容器设置识别标志", "危险废物贮存场所、容器和包装物有规范标签", "《危险废物识别标志设置技术规范》（HJ 1276）", "look", "major", 3, true),
				it("D3", "危险废物管理计划已备案", "当年管理计划已在信息系统备案", solid, "records", "major", 3, false),
				it("D4", "危险废物申报及台账完整", "台账记录废物代码、产生量、贮存量、转移量", solid, "records", "major", 4, false),
				it("D5", "每次转移执行电子转移联单，接收单位持证", "联单与台账一致，接收单位具备相应经营许可", "《危险废物转移管理办法》", "records", "critical", 5, false),
				it("D6", "危险废物贮存符合标准", "分类贮存，不混放，防渗漏、防雨淋", "《危险废物贮存污染控制标准》（GB 18597）", "look", "critical", 5, true),
				it("D7", "一般工业固体废物台账", "产生、贮存、利用、处置情况有台账", solid, "records", "minor", 2, false),
			}},
			{Title: "E 噪声", Items: []ChecklistItem{
				it("E1", "厂界噪声达标", "厂界噪声符合排放标准限值", "《工业企业厂界环境噪声排放标准》（GB 12348）", "measure", "major", 3, false),
				it("E2", "噪声监测及超标情况有记录", "按要求监测，超标原因和整改有记录", noise, "records", "minor", 2, false),
			}},
			{Title: "F 环境应急", Items: []ChecklistItem{
				it("F1", "已开展环境风险评估并备案", "风险评估报告符合 HJ 941-2018，已备案", "《企业突发环境事件风险分级方法》（HJ 941-2018）", "records", "major", 3, false),
				it("F2", "风险物质及风险等级无变化", "风险物质种类、数量与评估一致", "《企业突发环境事件风险分级方法》（HJ 941-2018）", "records", "major", 3, false),
				it("F3", "应急预案每 3 年评估并备案", "预案在有效期内，评估记录齐全", "《突发环境事件应急管理办法》", "records", "major", 3, false),
				it("F4", "发生变化时及时修订应急预案", "风险、指挥机构、监测预警、处置程序、保障措施、重要资源变化或演练、事件后已修订", "《突发环境事件应急管理办法》", "records", "major", 3, false),
				it("F5", "开展环境安全隐患排查并有记录", "隐患排查、治理记录完整", "《企业突发环境事件隐患排查和治理工作指南（试行）》", "records", "minor", 2, false),
				it("F6", "应急物资储备并定期检查", "应急物资与预案一致，检查记录可查", epl, "look", "minor", 2, true),
			}},
			{Title: "G 环境管理", Items: []ChecklistItem{
				it("G1", "设立环保管理员并参加培训", "环保管理员已任命，当年培训学时达标", zj, "records", "minor", 2, false),
				it("G2", "按规定披露企业环境信息", "应披露企业于每年 3 月 15 日前披露上一年度报告", disc, "records", "major", 3, false),
				it("G3", "温室气体排放报告与数据质量控制计划（重点排放单位）", "年度排放报告和数据质量控制计划按时报送", "《碳排放权交易管理暂行条例》", "records", "minor", 2, false),
				it("G4", "环境管理制度及台账按要求保存", "环境管理台账保存不少于 5 年", pmo, "records", "minor", 2, false),
			}},
		},
	}
}
