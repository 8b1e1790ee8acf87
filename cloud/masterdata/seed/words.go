package seed

// The word lists the generator draws from. Brands, company names and
// people are made up; places, goods and prices are what a Chinese
// supermarket chain has.

// category is a node of the category tree: a code and name, and its
// children.
type category struct {
	code, name string
	children   []category
}

var categoryTree = []category{
	{"10", "食品", []category{{"1001", "休闲零食", nil}, {"1002", "粮油调味", nil}, {"1003", "方便速食", nil}, {"1004", "乳制品", nil}}},
	{"20", "饮料", []category{{"2001", "饮用水", nil}, {"2002", "碳酸饮料", nil}, {"2003", "茶饮料", nil}, {"2004", "果汁", nil}}},
	{"30", "日化", []category{{"3001", "洗护用品", nil}, {"3002", "清洁用品", nil}, {"3003", "纸品", nil}}},
	{"40", "服装", []category{{"4001", "男装", nil}, {"4002", "女装", nil}, {"4003", "童装", nil}}},
	{"50", "生鲜", []category{{"5001", "水果", nil}, {"5002", "蔬菜", nil}, {"5003", "肉禽", nil}, {"5004", "水产", nil}}},
}

// unitDef is a unit of measure; weight marks kg, g, 斤.
type unitDef struct {
	code, name string
	weight     bool
}

var unitDefs = []unitDef{
	{"个", "个", false}, {"件", "件", false}, {"瓶", "瓶", false}, {"箱", "箱", false}, {"包", "包", false},
	{"kg", "千克", true}, {"g", "克", true}, {"斤", "斤", true},
	{"盒", "盒", false}, {"袋", "袋", false}, {"罐", "罐", false}, {"桶", "桶", false}, {"支", "支", false}, {"条", "条", false},
}

// good is a packaged item sold by the piece: its category, name, spec,
// base unit, retail price in fen, the case it ships in (none when
// caseUnit is empty), its shelf life in days when it is lot-tracked (0:
// not lot-tracked) and its VAT rate, made by each of brands.
type good struct {
	cat, name, spec, unit string
	retail                int64
	caseUnit              string
	caseOf                int64
	shelfLife             int32
	vat                   int32
	brands                []string
}

var (
	drinkBrands = []string{"山泉源", "雪峰", "清泉谷", "晨露"}
	snackBrands = []string{"香脆坊", "味之源", "乐嘉"}
	grainBrands = []string{"田园丰", "福满园"}
	dairyBrands = []string{"牧场鲜", "草原晨光"}
	careBrands  = []string{"净颜", "悦己", "清雅"}
	cleanBrands = []string{"洁立方", "白云朵"}
	paperBrands = []string{"柔云", "棉语"}
)

var goods = []good{
	// 饮用水
	{"2001", "天然矿泉水", "550ml", "瓶", 200, "箱", 24, 0, 13, drinkBrands},
	{"2001", "饮用纯净水", "550ml", "瓶", 150, "箱", 24, 0, 13, drinkBrands},
	{"2001", "天然矿泉水", "1.5L", "瓶", 450, "箱", 12, 0, 13, drinkBrands},
	{"2001", "苏打水 无糖", "350ml", "瓶", 390, "箱", 24, 0, 13, drinkBrands[:2]},
	{"2001", "饮用纯净水", "4L", "桶", 990, "箱", 4, 0, 13, drinkBrands[:2]},
	// 碳酸饮料
	{"2002", "可乐", "330ml", "罐", 300, "箱", 24, 0, 13, drinkBrands},
	{"2002", "柠檬味汽水", "500ml", "瓶", 350, "箱", 24, 0, 13, drinkBrands},
	{"2002", "橙味汽水", "2L", "瓶", 790, "箱", 6, 0, 13, drinkBrands[:2]},
	// 茶饮料
	{"2003", "冰红茶", "500ml", "瓶", 350, "箱", 15, 0, 13, drinkBrands},
	{"2003", "茉莉清茶", "500ml", "瓶", 350, "箱", 15, 0, 13, drinkBrands},
	{"2003", "无糖乌龙茶", "500ml", "瓶", 500, "箱", 15, 0, 13, drinkBrands[:2]},
	// 果汁
	{"2004", "100%橙汁", "1L", "盒", 1290, "箱", 12, 0, 13, drinkBrands[:2]},
	{"2004", "100%苹果汁", "1L", "盒", 1190, "箱", 12, 0, 13, drinkBrands[:2]},
	{"2004", "芒果汁饮料", "450ml", "瓶", 590, "箱", 15, 0, 13, drinkBrands},
	// 休闲零食
	{"1001", "原味薯片", "70g", "袋", 790, "箱", 22, 270, 13, snackBrands},
	{"1001", "五香牛肉干", "100g", "袋", 2990, "", 0, 180, 13, snackBrands},
	{"1001", "每日坚果", "25g×7", "盒", 4590, "箱", 12, 240, 13, snackBrands},
	{"1001", "苏打饼干", "400g", "盒", 1290, "箱", 12, 365, 13, snackBrands},
	{"1001", "黑巧克力", "100g", "盒", 1590, "", 0, 365, 13, snackBrands[:2]},
	{"1001", "蛋黄派", "468g", "盒", 1690, "箱", 8, 180, 13, snackBrands},
	{"1001", "海苔卷", "54g", "罐", 1990, "", 0, 300, 13, snackBrands[:2]},
	{"1001", "九制话梅", "160g", "罐", 1590, "", 0, 360, 13, snackBrands},
	{"1001", "原味开心果", "200g", "袋", 3890, "箱", 20, 270, 13, snackBrands},
	{"1001", "卤味鸭脖", "200g", "袋", 2290, "", 0, 30, 13, snackBrands},
	{"1001", "夹心威化饼", "300g", "袋", 990, "箱", 24, 270, 13, snackBrands},
	// 粮油调味
	{"1002", "东北大米", "5kg", "袋", 3990, "", 0, 0, 9, grainBrands},
	{"1002", "高筋面粉", "2.5kg", "袋", 1890, "", 0, 0, 9, grainBrands},
	{"1002", "压榨花生油", "5L", "桶", 12990, "箱", 4, 0, 9, grainBrands},
	{"1002", "特级生抽酱油", "500ml", "瓶", 890, "箱", 12, 0, 13, grainBrands},
	{"1002", "山西老陈醋", "500ml", "瓶", 790, "箱", 12, 0, 13, grainBrands},
	{"1002", "精制食盐", "400g", "袋", 250, "箱", 50, 0, 13, grainBrands},
	{"1002", "绵白糖", "400g", "袋", 690, "箱", 30, 0, 13, grainBrands},
	{"1002", "蚝油", "700g", "瓶", 1290, "箱", 12, 0, 13, grainBrands},
	{"1002", "鸡蛋挂面", "1kg", "袋", 990, "箱", 10, 0, 9, grainBrands},
	{"1002", "黄小米", "2kg", "袋", 2690, "", 0, 0, 9, grainBrands},
	{"1002", "料酒", "500ml", "瓶", 590, "箱", 12, 0, 13, grainBrands},
	// 方便速食
	{"1003", "红烧牛肉面", "5 连包", "包", 1390, "箱", 6, 180, 13, snackBrands},
	{"1003", "老坛酸菜面", "桶装 120g", "桶", 550, "箱", 12, 180, 13, snackBrands},
	{"1003", "自热米饭 鱼香肉丝", "375g", "盒", 1990, "箱", 12, 270, 13, snackBrands[:2]},
	{"1003", "速冻水饺 猪肉白菜", "1kg", "袋", 2590, "箱", 10, 365, 13, snackBrands},
	// 乳制品
	{"1004", "纯牛奶", "250ml", "盒", 350, "箱", 24, 180, 13, dairyBrands},
	{"1004", "原味酸奶", "200g", "盒", 550, "箱", 24, 21, 13, dairyBrands},
	{"1004", "鲜牛奶", "950ml", "瓶", 1590, "", 0, 7, 13, dairyBrands},
	{"1004", "低脂高钙奶", "250ml", "盒", 390, "箱", 24, 180, 13, dairyBrands},
	{"1004", "奶酪棒", "500g", "袋", 4990, "", 0, 150, 13, dairyBrands},
	// 洗护用品
	{"3001", "去屑洗发水", "400ml", "瓶", 3990, "箱", 12, 0, 13, careBrands},
	{"3001", "沐浴露", "750ml", "瓶", 4590, "箱", 12, 0, 13, careBrands},
	{"3001", "美白牙膏", "120g", "支", 1290, "箱", 48, 0, 13, careBrands},
	{"3001", "软毛牙刷", "2 支装", "包", 990, "", 0, 0, 13, careBrands},
	{"3001", "氨基酸洗面奶", "100g", "支", 5990, "", 0, 0, 13, careBrands},
	{"3001", "护手霜", "50g", "支", 2590, "", 0, 0, 13, careBrands[:2]},
	{"3001", "柔顺护发素", "400ml", "瓶", 3590, "箱", 12, 0, 13, careBrands},
	{"3001", "清新漱口水", "500ml", "瓶", 2990, "箱", 12, 0, 13, careBrands},
	// 清洁用品
	{"3002", "洗衣液 薰衣草", "2kg", "瓶", 3590, "箱", 4, 0, 13, cleanBrands},
	{"3002", "洗洁精", "1.5kg", "瓶", 1590, "箱", 8, 0, 13, cleanBrands},
	{"3002", "84 消毒液", "1.2kg", "瓶", 1290, "箱", 12, 0, 13, cleanBrands},
	{"3002", "加厚垃圾袋", "50 只", "包", 990, "", 0, 0, 13, cleanBrands},
	{"3002", "洗衣凝珠", "30 颗", "盒", 4990, "", 0, 0, 13, cleanBrands},
	{"3002", "洁厕灵", "500g", "瓶", 990, "箱", 20, 0, 13, cleanBrands},
	// 纸品
	{"3003", "抽纸 3 层 100 抽", "6 包/提", "包", 1990, "箱", 8, 0, 13, paperBrands},
	{"3003", "卷纸 4 层", "10 卷/提", "包", 2590, "箱", 6, 0, 13, paperBrands},
	{"3003", "湿巾", "80 片", "包", 1290, "箱", 24, 0, 13, paperBrands},
	{"3003", "厨房用纸", "2 卷", "包", 1190, "箱", 12, 0, 13, paperBrands},
}

// garment is clothing with colour × size variants.
type garment struct {
	cat, name string
	retail    int64
	colours   []string
	sizes     []string
	brands    []string
}

var (
	adultSizes = []string{"S", "M", "L", "XL", "XXL"}
	womenSizes = []string{"S", "M", "L", "XL"}
	kidsSizes  = []string{"100", "110", "120", "130", "140"}
	// colourCodes name colours in SKU codes.
	colourCodes = map[string]string{"白": "WH", "黑": "BK", "藏青": "NV", "灰": "GY", "红": "RD", "粉": "PK", "卡其": "KH",
		"浅蓝": "LB", "米白": "CR", "军绿": "OG", "黄": "YL"}
)

var garments = []garment{
	{"4001", "纯棉圆领 T 恤", 5900, []string{"白", "黑", "藏青"}, adultSizes, []string{"简衣", "优品"}},
	{"4001", "休闲长袖衬衫", 12900, []string{"白", "浅蓝"}, adultSizes, []string{"简衣", "优品"}},
	{"4001", "直筒牛仔裤", 15900, []string{"浅蓝", "黑"}, adultSizes, []string{"简衣"}},
	{"4001", "连帽卫衣", 13900, []string{"灰", "黑", "军绿"}, adultSizes, []string{"优品"}},
	{"4001", "轻薄羽绒服", 39900, []string{"黑", "藏青"}, adultSizes, []string{"简衣"}},
	{"4002", "修身短袖 T 恤", 4900, []string{"白", "粉", "黑"}, womenSizes, []string{"悦衣", "优品"}},
	{"4002", "雪纺连衣裙", 19900, []string{"米白", "藏青"}, womenSizes, []string{"悦衣"}},
	{"4002", "针织开衫", 15900, []string{"米白", "灰", "卡其"}, womenSizes, []string{"悦衣"}},
	{"4002", "高腰阔腿裤", 12900, []string{"黑", "卡其"}, womenSizes, []string{"悦衣", "优品"}},
	{"4003", "儿童纯棉 T 恤", 3900, []string{"白", "黄", "浅蓝"}, kidsSizes, []string{"童趣"}},
	{"4003", "儿童卫衣", 7900, []string{"红", "藏青"}, kidsSizes, []string{"童趣"}},
	{"4003", "儿童运动裤", 5900, []string{"黑", "灰"}, kidsSizes, []string{"童趣"}},
	{"4003", "儿童羽绒服", 25900, []string{"红", "藏青"}, kidsSizes, []string{"童趣"}},
}

// fresh is produce sold by weight: price in fen per kg, where it comes
// from, and a 10 kg case for the fruit that ships in one.
type fresh struct {
	cat, name, origin string
	perKg             int64
	caseKg            int64
}

var freshGoods = []fresh{
	{"5001", "红富士苹果", "山东烟台", 1280, 10}, {"5001", "香蕉", "海南", 690, 0}, {"5001", "赣南脐橙", "江西赣州", 1190, 10},
	{"5001", "巨峰葡萄", "辽宁", 1990, 0}, {"5001", "砀山酥梨", "安徽砀山", 790, 10}, {"5001", "麒麟西瓜", "海南", 390, 0},
	{"5001", "猕猴桃", "陕西周至", 1590, 0}, {"5001", "小台芒", "广西百色", 1390, 0},
	{"5002", "西红柿", "山东寿光", 598, 0}, {"5002", "黄瓜", "山东寿光", 498, 0}, {"5002", "土豆", "内蒙古", 358, 0},
	{"5002", "大白菜", "河北", 238, 0}, {"5002", "胡萝卜", "河北", 398, 0}, {"5002", "青椒", "山东寿光", 698, 0},
	{"5002", "西兰花", "云南", 998, 0}, {"5002", "菠菜", "本地", 798, 0}, {"5002", "长茄子", "山东寿光", 598, 0},
	{"5003", "猪五花肉", "冷鲜", 3580, 0}, {"5003", "猪里脊", "冷鲜", 3980, 0}, {"5003", "牛腩", "冷鲜", 7980, 0},
	{"5003", "鸡胸肉", "冷鲜", 2380, 0}, {"5003", "鸡翅中", "冷鲜", 5980, 0},
	{"5004", "鲈鱼", "鲜活", 4980, 0}, {"5004", "基围虾", "鲜活", 8980, 0}, {"5004", "带鱼", "冰鲜", 5980, 0},
}

// People, companies and places.
var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚",
		"建华", "志强", "丽", "军", "婷", "欣怡", "子涵", "浩然", "宇轩", "晓东", "海燕", "文博", "雪梅", "国庆"}
	contactTitles = []string{"销售经理", "业务代表", "区域经理", "财务主管", "采购经理", "店长"}
	tradeNames    = []string{"恒丰", "嘉禾", "瑞丰", "裕隆", "金穗", "宏达", "鑫源", "兴业", "华泰", "永辉", "盛世", "万家",
		"康源", "佳美", "同德", "信诚", "丰泽", "百川", "润发", "汇丰", "天成", "鸿运", "福源", "安泰", "德隆", "和盛",
		"旺达", "新阳", "益民", "顺昌"}
	supplierTrades = []string{"食品", "饮品", "日用品", "服饰", "农产品", "粮油", "乳业", "纸业"}
	customerKinds  = []string{"超市有限公司", "便利店", "餐饮管理有限公司", "贸易有限公司", "烘焙坊", "酒店有限公司"}
	banks          = []string{"中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行"}
	streets        = []string{"人民路", "中山路", "解放路", "建设路", "和平路", "长江路", "黄河路", "新华路", "迎宾大道", "工业园区"}
)

// city is where a partner is: its name, region, district and the region
// code of its tax ID.
type city struct {
	name, region, district, code string
}

var cities = []city{
	{"上海", "华东", "浦东新区", "310115"}, {"杭州", "华东", "余杭区", "330110"}, {"苏州", "华东", "工业园区", "320571"},
	{"宁波", "华东", "鄞州区", "330212"}, {"南京", "华东", "江宁区", "320115"}, {"北京", "华北", "朝阳区", "110105"},
	{"天津", "华北", "滨海新区", "120116"}, {"青岛", "华北", "黄岛区", "370211"}, {"广州", "华南", "天河区", "440106"},
	{"深圳", "华南", "南山区", "440305"}, {"厦门", "华南", "湖里区", "350206"}, {"成都", "西南", "高新区", "510109"},
	{"重庆", "西南", "渝北区", "500112"}, {"武汉", "华中", "洪山区", "420111"}, {"长沙", "华中", "岳麓区", "430104"},
}

// siteDef names a store or warehouse.
type siteDef struct {
	name, address, phone string
}

var (
	storeDefs = []siteDef{
		{"上海南京西路店", "上海市静安区南京西路 1266 号", "021-62881266"},
		{"上海徐家汇店", "上海市徐汇区漕溪北路 88 号", "021-64870088"},
		{"上海五角场店", "上海市杨浦区淞沪路 8 号", "021-55080008"},
		{"杭州湖滨店", "浙江省杭州市上城区延安路 258 号", "0571-87000258"},
	}
	warehouseDefs = []siteDef{
		{"北京顺义配送中心", "北京市顺义区空港工业区 B 区裕华路 8 号", "010-80486008"},
		{"上海嘉定配送中心", "上海市嘉定区安亭镇墨玉南路 1055 号", "021-69571055"},
	}
)

// binDef is a storage location; the first three of a store are those the
// demo's workload books into, a warehouse's last two its receiving desk
// and dock door.
type binDef struct {
	code, name string
}

var (
	storeBins = []binDef{
		{"A-01-01", "前场 A 区 01 排 01 层"}, {"A-01-02", "前场 A 区 01 排 02 层"}, {"B-02-01", "前场 B 区 02 排 01 层"},
		{"C-01-01", "冷柜 1 号"}, {"BACK-01", "后仓 1 号"},
	}
	warehouseBins = []binDef{
		{"A-01-01", "常温 A 区 01 排 01 层"}, {"A-01-02", "常温 A 区 01 排 02 层"}, {"B-02-01", "常温 B 区 02 排 01 层"},
		{"C-01-01", "冷库 C 区 01 排 01 层"}, {"RCV-01", "收货暂存区"}, {"DOCK-1", "1 号月台"},
	}
)
