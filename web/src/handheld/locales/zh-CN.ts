export default {
  app: { title: '门店作业', lang: 'English', signOut: '退出', back: '返回' },
  login: {
    title: '登录', user: '用户名', password: '密码', submit: '登录', offlineHint: '与总部断开时也可登录（本机校验）',
    mustChange: '请尽快在总部控制台修改初始密码',
  },
  home: {
    hello: '{name}，你好', receive: '收货', pick: '拣货', count: '盘点', transfer: '调拨', other: '其他出入库',
    checkout: '收银', stock: '库存查询', alerts: '预警', preturn: '采购退货', sreturn: '销售退货', rreturn: '零售退货', assembly: '组装拆卸',
    recent: '本机记录',
  },
  sync: {
    online: '已连接总部', offline: '离线', pending: '待同步 {n}', synced: '已同步', waiting: '待同步', unknown: '设备未响应',
  },
  common: {
    saved: '已保存', scan: '扫描或输入条码 / SKU，回车提交', qty: '数量', bin: '库位', lot: '批次', sku: 'SKU',
    refresh: '刷新', none: '暂无', choose: '选择单据', finish: '完成', cancel: '取消', confirm: '确定', submit: '提交',
    done: '已完成', ordered: '应收', received: '已收', expected: '应有', line: '第 {n} 行', note: '备注',
    reason: '原因', retry: '重试', total: '合计', add: '添加', remove: '删除', lines: '明细', empty: '还没有扫描',
    busy: '处理中…', change: '换单据',
  },
  receive: {
    title: '收货', openPOs: '待收货采购订单', typePO: '输入采购订单号（本机没有的按计划外收货）', start: '开始收货',
    unplanned: '计划外收货：本机尚无此订单，按单号登记，总部按 SKU 匹配', binNeeded: '计划外收货须填写库位',
    override: '确认超收', overrideHint: '你有审批权限，可确认超收', finish: '完成收货', finished: '收货单已完成',
    scanned: '{sku} 收货 {qty}（{done}/{expected}）', scannedUnplanned: '{sku} 计划外收货 {qty}', supplier: '供应商',
  },
  pick: {
    title: '拣货', lists: '待拣货单', picked: '已拣', scanned: '{sku} 拣货 {qty}（{done}/{expected}）', finish: '完成拣货',
    shortReason: '短拣原因', finished: '拣货单已完成',
  },
  reasons: { out_of_stock: '缺货', damaged: '破损', not_found: '未找到', other: '其他' },
  count: {
    title: '盘点', plans: '盘点计划', blind: '盲盘', scanBin: '先扫描库位', scanItem: '再扫描商品', counted: '实盘数量',
    scanned: '{bin} · {sku} 实盘 {counted}', expectedWas: '账面 {n}', finish: '完成盘点', finished: '盘点已完成',
    bins: '盘点库位', changeBin: '换库位', counts: '已登记 {n} 次',
  },
  transfer: {
    title: '调拨', lists: '调拨单', out: '调出', in: '调入', scanned: '{sku} {dir} {qty}（{done}/{expected}）',
    finish: '完成调拨', diffReason: '差异原因', shortReason: '差异原因', finished: '调拨已完成', own: '本站发起调拨', toSite: '调入站点',
    ownSaved: '调拨单已保存',
  },
  other: {
    title: '其他出入库', direction: '方向', in: '入库', out: '出库', reason: '原因', saved: '{dir}单已保存',
    reasons: { scrap: '报损', sample: '样品', internal_use: '领用', found: '盘盈/找到', other: '其他' },
  },
  checkout: {
    title: '收银', shopBin: '销售库位', price: '单价', grams: '重量（克）', amount: '金额', lineDiscount: '行折扣（元）',
    discount: '整单折扣（元）', subtotal: '小计', payable: '应收', pay: '收款', method: '支付方式', tendered: '实收（元）',
    change: '找零', methods: { cash: '现金', card: '银行卡', wechat: '微信支付', alipay: '支付宝' }, unknown: '本机没有此商品：{code}',
    noPrice: '{sku} 没有零售价', limit: '折扣超出你的权限 {n}%', short: '实收不足', saved: '销售已保存',
    savedText: '零售 {total}，{method}{change}', newSale: '下一单', clear: '清空',
  },
  preturn: {
    title: '采购退货', lists: '待退货采购退货单', scanned: '{sku} 退货 {qty}（{done}/{expected}）', finish: '完成退货',
    shortReason: '少退原因', finished: '采购退货已完成',
  },
  sreturn: {
    title: '销售退货', scanRef: '扫描或输入销售出库单号（CK…）或拣货单号（JH…）', ref: '退货依据', pickList: '拣货单',
    pickListHint: '按出库单退货须填写其拣货单号（JH…），也可直接扫描', badRef: '{code} 既不是销售出库单（CK…）也不是拣货单（JH…）',
    shipped: '该拣货单本站点已拣', goodBin: '完好品退回库位', goodBinHint: '空：按拣货单行库位', damagedBin: '破损品库位',
    conditions: { good: '完好', damaged: '破损' }, reason: '退货原因',
    reasons: { quality: '质量问题', wrong_goods: '发错货', no_longer_needed: '客户不需要', other: '其他' },
    saved: '销售退货已保存', needList: '请先填写拣货单号（JH…）', notShipped: '{code} 不在拣货单 {list} 上',
  },
  rreturn: {
    title: '零售退货', sales: '本机最近的零售单', scanSale: '扫描商品（加一件退货），或选择下方零售单', noSale: '不按原单退货',
    noSaleHint: '不按原单退货须有零售审批权限（retail.approve）', sold: '已售 {n}', left: '可退 {n}', returnQty: '退货数量',
    refund: '退款合计', refundMethod: '退款方式', pay: '退款', saved: '零售退货 {total}，{method}', sale: '原零售单',
    notOnSale: '{code} 不在零售单 {sale} 上', nothing: '请选择要退的商品和数量', reason: '退货原因',
    reasons: { quality: '质量问题', changed_mind: '不想要了', wrong_item: '拿错商品', other: '其他' },
  },
  assembly: {
    title: '组装/拆卸', lists: '待执行的组装单和拆卸单', assembly: '组装', disassembly: '拆卸', product: '成品', component: '组件',
    bin: '作业库位（行未指定库位时）', doAssembly: '执行组装（全部行一次记账）', doDisassembly: '执行拆卸（全部行一次记账）',
    done: '已执行', saved: '{kind}单 {doc} 已执行：{n} 行', pending: '未执行', in: '入', out: '出',
  },
  device: {
    atDevice: '收货台设备（先选设备，再选采购订单）', name: '设备名称', here: '本机扫描', hint: '选设备后，该门禁读写器的通过记录或收货台的扫描计入所选采购订单',
    typed: '或输入设备配置名称', none: '本站点没有设备', bound: '设备：{device}', boundHint: '此设备的收货计入 {po}，完成后结束',
    open: '设备上进行中的收货', close: '结束', closed: '设备收货已结束',
  },
  stock: { title: '库存查询', total: '合计', none: '没有库存记录' },
  alerts: { title: '库存预警', below: '低于下限', above: '高于上限', onHand: '现有', min: '下限', max: '上限', none: '没有预警' },
}
