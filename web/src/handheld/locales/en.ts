export default {
  app: { title: 'Store work', lang: '中文', signOut: 'Sign out', back: 'Back' },
  login: {
    title: 'Sign in', user: 'User', password: 'Password', submit: 'Sign in', offlineHint: 'Works with HQ offline too (checked on this device)',
    mustChange: 'Change your one-time password at the HQ console soon',
  },
  home: {
    hello: 'Hello, {name}', receive: 'Receive', pick: 'Pick', count: 'Count', transfer: 'Transfer', other: 'Other in/out',
    checkout: 'Checkout', stock: 'Stock', alerts: 'Alerts', recent: 'Recorded here',
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
    finish: 'Finish transfer', diffReason: 'Difference reason', finished: 'Transfer finished', own: 'Send a transfer', toSite: 'To site',
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
  stock: { title: 'Stock', total: 'Total', none: 'No stock rows' },
  alerts: { title: 'Stock alerts', below: 'Below min', above: 'Above max', onHand: 'On hand', min: 'Min', max: 'Max', none: 'No alerts' },
}
