// Display formats. Money is integer fen: the only arithmetic on it is the
// division for display; parsing a typed amount is done on the digits.

const cny = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' })

/** money formats integer fen as ¥1,234.50. */
export function money(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return ''
  return cny.format(fen / 100)
}

/** fenToText gives fen as a plain amount "1234.50" for an input field,
 * with integer arithmetic only. */
export function fenToText(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return ''
  const neg = fen < 0
  const abs = Math.abs(Math.trunc(fen))
  const yuan = Math.trunc(abs / 100)
  const cents = abs % 100
  return `${neg ? '-' : ''}${yuan}.${String(cents).padStart(2, '0')}`
}

/** parseFen reads an amount typed in yuan ("12", "12.5", "-0.05",
 * "1,234.50") as integer fen, or null when it is not one. */
export function parseFen(text: string): number | null {
  const s = text.trim().replace(/[,\s¥]/g, '')
  const m = /^(-)?(\d{1,13})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const cents = (m[3] ?? '').padEnd(2, '0')
  const v = Number(m[2]) * 100 + Number(cents)
  return m[1] && v !== 0 ? -v : v
}

/** dateTime shows an RFC 3339 time in the browser's time zone. */
export function dateTime(s: string | null | undefined, locale: string): string {
  if (!s || s.startsWith('0001-')) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(d)
}

/** dateMinute is dateTime without the seconds, for lists. */
export function dateMinute(s: string | null | undefined, locale: string): string {
  if (!s || s.startsWith('0001-')) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d)
}

/** ago says how long ago s was, roughly, in the locale's words. */
export function ago(s: string, locale: string, now = Date.now()): string {
  const d = new Date(s).getTime()
  if (Number.isNaN(d)) return ''
  const sec = Math.round((d - now) / 1000)
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  const abs = Math.abs(sec)
  if (abs < 60) return rtf.format(sec, 'second')
  if (abs < 3600) return rtf.format(Math.round(sec / 60), 'minute')
  if (abs < 86400) return rtf.format(Math.round(sec / 3600), 'hour')
  return rtf.format(Math.round(sec / 86400), 'day')
}

/** qty formats an integer quantity with grouping. */
export function qty(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n)
}

/** yuan formats integer fen as ¥1,234.50 with integer arithmetic only
 * (no division into a float): the list and print amounts. */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return ''
  const t = fenToText(fen)
  const neg = t.startsWith('-')
  const [int, cents] = (neg ? t.slice(1) : t).split('.')
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${neg ? '-' : ''}¥${grouped}.${cents}`
}

const upperDigits = '零壹贰叁肆伍陆柒捌玖'
const upperUnits = ['', '拾', '佰', '仟']
const upperGroups = ['', '万', '亿', '万亿']

/** rmbUpper writes integer fen in Chinese capital numerals as on an
 * invoice (人民币大写): 10250 → 壹佰零贰元伍角整. */
export function rmbUpper(fen: number): string {
  if (!Number.isFinite(fen)) return ''
  const neg = fen < 0
  const n = Math.abs(Math.trunc(fen))
  const jiao = Math.trunc(n / 10) % 10
  const fenD = n % 10
  let y = Math.trunc(n / 100)
  const groups: number[] = []
  while (y > 0) {
    groups.push(y % 10000)
    y = Math.trunc(y / 10000)
  }
  let s = ''
  let zero = false
  for (let g = groups.length - 1; g >= 0; g--) {
    const v = groups[g]
    if (v === 0) {
      zero = s !== ''
      continue
    }
    if (v < 1000 && s !== '') zero = true
    let part = ''
    let inner = false
    for (let i = 3; i >= 0; i--) {
      const d = Math.trunc(v / 10 ** i) % 10
      if (d === 0) {
        if (part !== '') inner = true
        continue
      }
      if (inner) part += '零'
      inner = false
      part += upperDigits[d] + upperUnits[i]
    }
    if (zero) s += '零'
    zero = false
    s += part + upperGroups[g]
  }
  if (s) s += '元'
  if (jiao === 0 && fenD === 0) return (neg ? '负' : '') + (s || '零元') + '整'
  if (jiao) s += upperDigits[jiao] + '角'
  else if (s) s += '零'
  s += fenD ? upperDigits[fenD] + '分' : '整'
  return (neg ? '负' : '') + s
}
