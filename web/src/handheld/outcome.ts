// What the last action of a page gave: saved (only after the agent's 201,
// with the record that tracks its sync) or the refusal's message.
import { ref } from 'vue'
import { ApiError } from './api'
import { isZh } from './locales'
import type { Recorded } from './store'

export interface Outcome {
  ok: boolean
  text: string
  code?: string
  record?: Recorded
  /** retry resends the same request with the same Idempotency-Key (no
   * definite answer came: the agent may or may not have recorded it). */
  retry?: () => void
}

export function useOutcome() {
  const outcome = ref<Outcome | null>(null)
  function saved(text: string, record?: Recorded): void {
    outcome.value = { ok: true, text, record }
  }
  function failed(e: unknown, retry?: () => void): ApiError | null {
    if (e instanceof ApiError) {
      outcome.value = { ok: false, text: e.text(isZh.value), code: e.code, retry: e.definite ? undefined : retry }
      return e
    }
    outcome.value = { ok: false, text: String(e) }
    return null
  }
  function refuse(text: string): void {
    outcome.value = { ok: false, text }
  }
  return { outcome, saved, failed, refuse }
}
