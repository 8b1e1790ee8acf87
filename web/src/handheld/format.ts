// Money and quantities are integers (fen, base units); these turn them
// into text and back without floating point.

/** yuan formats fen as ¥1234.50. */
export function yuan(fen: number): string {
  const neg = fen < 0
  const a = Math.abs(Math.trunc(fen))
  return `${neg ? '-' : ''}¥${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

/** parseFen reads "12", "12.3" or "12.34" yuan as fen; null if it is not
 * an amount with at most two decimals. */
export function parseFen(s: string): number | null {
  const m = /^\s*(\d{1,10})(?:\.(\d{0,2}))?\s*$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

/** grams per unit of the weight units the agent knows (agent.WeightUnit). */
const weightUnits: Record<string, [bigint, bigint]> = {
  g: [1n, 1n], 克: [1n, 1n], kg: [1000n, 1n], 千克: [1000n, 1n], 公斤: [1000n, 1n], 斤: [500n, 1n], 两: [50n, 1n],
  t: [1000000n, 1n], 吨: [1000000n, 1n], lb: [45359237n, 100000n], oz: [45359237n, 1600000n],
}

/** isWeightUnit: a SKU in this unit is sold by weight (quantities in grams). */
export function isWeightUnit(unit: string): boolean {
  return unit.trim().toLowerCase() in weightUnits
}

/** lineAmount is price × qty (base units; grams for a weight unit)
 * rounded half to even to the fen, as the agent computes it. */
export function lineAmount(price: number, qty: number, unit: string): number {
  const [num, den] = weightUnits[unit.trim().toLowerCase()] || [1n, 1n]
  const n = BigInt(price) * BigInt(qty) * den
  let q = n / num
  const r2 = (n % num) * 2n
  if (r2 > num || (r2 === num && q % 2n === 1n)) q += 1n
  return Number(q)
}

/** scanBody turns what a scanner or a person typed into the agent's Scan:
 * digits of a barcode (8, 12, 13, 14; or GS1 with parentheses or a
 * symbology prefix) are a barcode, anything else a SKU. */
export function scanBody(text: string, qty?: number): { barcode?: string; sku?: string; qty?: number } {
  const t = text.trim()
  const q = qty && qty > 0 ? qty : 1
  if (/^(\d{8}|\d{12,14})$/.test(t) || /^[(\]]/.test(t) || /^\d{16,}$/.test(t)) return { barcode: t, qty: q }
  return { sku: t, qty: q }
}
