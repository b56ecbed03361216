# Regenerates the openpyxl fixtures (Debian's python3-openpyxl):
#   /usr/bin/python3 gen.py
import openpyxl, datetime
code = "91330481MA2HN0X87B"
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "企业名录"
ws.append(["统一社会信用代码", "企业名称", "类型", "所属镇街", "地址", "行业代码", "法定代表人", "联系人", "联系电话", "排污许可证编号", "许可管理类别", "许可证有效期至", "重点单位名录", "主要污染物", "状态"])
ws.append([code, "openpyxl 写的公司 & <有限>", "企业", "海昌街道", "海昌路 1 号\n3 号楼", "C3985", "张三", "李四", 13800001111, "", "简化管理", datetime.date(2027, 6, 30), "水，大气", "COD、氨氮", "正常"])
m = wb.create_sheet("环保管理员")
m.append(["统一社会信用代码", "姓名", "手机号", "身份证号", "职务", "任命日期"])
m.append([code, "王五", "13900002222", "", "环保管理员", datetime.datetime(2026, 3, 1)])
wb.save("openpyxl.xlsx")
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("环保管理员")
ws.append(["统一社会信用代码", "姓名", "手机号"])
ws.append([code, "赵六", "13900003333"])
ws = wb.create_sheet("企业名录")
ws.append(["统一社会信用代码", "企业名称", "所属镇街"])
ws.append([code, "只写模式公司", "海昌街道"])
wb.save("openpyxl-write-only.xlsx")
