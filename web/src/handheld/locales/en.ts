export default {
  app: { title: 'Store work', lang: '中文', signOut: 'Sign out', back: 'Back' },
  login: {
    title: 'Sign in', user: 'User', password: 'Password', submit: 'Sign in', offlineHint: 'Works with HQ offline too (checked on this device)',
    mustChange: 'Change your one-time password at the HQ console soon',
  },
  home: {
    hello: 'Hello, {name}', receive: 'Receive', pick: 'Pick', count: 'Count', transfer: 'Transfer', other: 'Other in/out',
    checkout: 'Checkout', stock: 'Stock', alerts: 'Alerts', preturn: 'Purchase return', sreturn: 'Sales return', rreturn: 'Retail return', assembly: 'Assembly',
    recent: 'Recorded here',
  },
  sync: {
    online: 'Linked to HQ', offline: 'Offline', pending: '{n} to sync', synced: 'Synced', waiting: 'Waiting to sync', unknown: 'Agent not answering',
  },
  common: {
    saved: 'Saved', scan: 'Scan or type a barcode / SKU, Enter', qty: 'Qty', bin: 'Bin', lot: 'Lot', sku: 'SKU',
    refresh: 'Refresh', none: 'None', choose: 'Choose a document', finish: 'Finish', cancel: 'Cancel', confirm: 'OK', submit: 'Submit',
    done: 'Done', ordered: 'Ordered', received: 'Received', expected: 'Expected', line: 'Line {n}', note: 'Note',
    reason: 'Reason', retry: 'Retry', total: 'Total', add: 'Add', remove: 'Remove', lines: 'Lines', empty: 'Nothing scanned yet',
    busy: 'Working…', change: 'Change',
  },
  receive: {
    title: 'Receive', openPOs: 'Purchase orders to receive', typePO: 'Type a PO number (one this device lacks is received unplanned)', start: 'Start',
    unplanned: 'Unplanned receipt: this device does not hold the order; HQ matches lines by SKU', binNeeded: 'An unplanned receipt needs a bin',
    override: 'Confirm over-receipt', overrideHint: 'You may approve: confirm the over-receipt', finish: 'Finish receiving', finished: 'Receipt finished',
    scanned: '{sku} received {qty} ({done}/{expected})', scannedUnplanned: '{sku} received {qty} unplanned', supplier: 'Supplier',
  },
  pick: {
    title: 'Pick', lists: 'Pick lists', picked: 'Picked', scanned: '{sku} picked {qty} ({done}/{expected})', finish: 'Finish picking',
    shortReason: 'Why short', finished: 'Pick list finished',
  },
  reasons: { out_of_stock: 'Out of stock', damaged: 'Damaged', not_found: 'Not found', other: 'Other' },
  count: {
    title: 'Count', plans: 'Count plans', blind: 'Blind', scanBin: 'Scan the bin first', scanItem: 'then the item', counted: 'Counted',
    scanned: '{bin} · {sku} counted {counted}', expectedWas: 'book {n}', finish: 'Finish count', finished: 'Count finished',
    bins: 'Bins', changeBin: 'Change bin', counts: '{n} counts recorded',
  },
  transfer: {
    title: 'Transfer', lists: 'Transfers', out: 'out', in: 'in', scanned: '{sku} {dir} {qty} ({done}/{expected})',
    finish: 'Finish transfer', diffReason: 'Difference reason', shortReason: 'Difference reason', finished: 'Transfer finished', own: 'Send a transfer', toSite: 'To site',
    ownSaved: 'Transfer saved',
  },
  other: {
    title: 'Other in/out', direction: 'Direction', in: 'In', out: 'Out', reason: 'Reason', saved: 'Other {dir} saved',
    reasons: { scrap: 'Scrap', sample: 'Sample', internal_use: 'Internal use', found: 'Found', other: 'Other' },
  },
  checkout: {
    title: 'Checkout', shopBin: 'Shop bin', price: 'Price', grams: 'Weight (g)', amount: 'Amount', lineDiscount: 'Line discount (¥)',
    discount: 'Sale discount (¥)', subtotal: 'Subtotal', payable: 'To pay', pay: 'Take payment', method: 'Payment', tendered: 'Tendered (¥)',
    change: 'Change', methods: { cash: 'Cash', card: 'Card', wechat: 'WeChat Pay', alipay: 'Alipay' }, unknown: 'Unknown here: {code}',
    noPrice: '{sku} has no retail price', limit: 'Discount beyond your limit of {n}%', short: 'Tendered is short', saved: 'Sale saved',
    savedText: 'Sale {total}, {method}{change}', newSale: 'Next sale', clear: 'Clear',
  },
  preturn: {
    title: 'Purchase return', lists: 'Purchase returns to send back', scanned: '{sku} returned {qty} ({done}/{expected})', finish: 'Finish return',
    shortReason: 'Why short', finished: 'Purchase return finished',
  },
  sreturn: {
    title: 'Sales return', scanRef: 'Scan or type the shipment (CK…) or pick list (JH…) number', ref: 'Returned against', pickList: 'Pick list',
    pickListHint: 'A shipment needs its pick list (JH…): type or scan it', badRef: '{code} is neither a shipment (CK…) nor a pick list (JH…)',
    shipped: 'Picked here on the pick list', goodBin: 'Good goods back to bin', goodBinHint: 'empty: the pick list line\'s bin', damagedBin: 'Damaged bin',
    conditions: { good: 'Good', damaged: 'Damaged' }, reason: 'Reason',
    reasons: { quality: 'Quality', wrong_goods: 'Wrong goods', no_longer_needed: 'Not needed', other: 'Other' },
    saved: 'Sales return saved', needList: 'Give the pick list (JH…) first', notShipped: '{code} is not on pick list {list}',
  },
  rreturn: {
    title: 'Retail return', sales: 'Recent sales at this till', scanSale: 'Scan an item (one more returned), or pick a sale below', noSale: 'Return without a sale',
    noSaleHint: 'A return without a sale needs retail approval (retail.approve)', sold: 'sold {n}', left: '{n} returnable', returnQty: 'Returned',
    refund: 'Refund', refundMethod: 'Refund by', pay: 'Refund', saved: 'Return {total}, {method}', sale: 'Sale',
    notOnSale: '{code} is not on sale {sale}', nothing: 'Choose what is returned and how many', reason: 'Reason',
    reasons: { quality: 'Quality', changed_mind: 'Changed mind', wrong_item: 'Wrong item', other: 'Other' },
  },
  assembly: {
    title: 'Assembly', lists: 'Assemblies and disassemblies to do', assembly: 'Assembly', disassembly: 'Disassembly', product: 'Product', component: 'Component',
    bin: 'Bin (for lines without one)', doAssembly: 'Assemble (all lines at once)', doDisassembly: 'Disassemble (all lines at once)',
    done: 'Done', saved: '{kind} {doc} done: {n} lines', pending: 'To do', in: 'in', out: 'out',
  },
  device: {
    atDevice: 'Receiving device (choose it, then the order)', name: 'Device', here: 'This handheld', hint: 'With a device, its gate passes or station scans are received on the chosen order',
    typed: 'or type a device profile name', none: 'No devices at this site', bound: 'Device: {device}', boundHint: 'Its receipts go on {po}; close when done',
    open: 'Receiving at devices', close: 'Close', closed: 'Device receiving closed',
  },
  stock: { title: 'Stock', total: 'Total', none: 'No stock rows' },
  alerts: { title: 'Stock alerts', below: 'Below min', above: 'Above max', onHand: 'On hand', min: 'Min', max: 'Max', none: 'No alerts' },
}
