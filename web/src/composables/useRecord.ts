// useRecord loads and saves one record: the version read (ETag) goes back
// in If-Match; field errors of a refused write land at their fields; a
// 412 means someone else changed the record meanwhile.
import { reactive, ref } from 'vue'
import type { Resource } from '../api/masterdata/resource'
import type { Base } from '../api/masterdata/types'
import { ApiError } from '../api/http'
import { isZh } from '../locales'

export type SaveResult = 'saved' | 'invalid' | 'stale' | 'failed'

/** withDefaults fills a record from the API with defaults: a field it
 * lacks or sends as null (Go sends an empty list as null) takes its default. */
export function withDefaults<T>(defaults: Partial<T>, data: T): T {
  const out = { ...defaults, ...data } as Record<string, unknown>
  for (const [k, v] of Object.entries(defaults)) if (out[k] === null || out[k] === undefined) out[k] = structuredClone(v)
  return out as T
}

/** useRecord loads and saves one record of api. normalize, when given,
 * mends a loaded record further (nested lists that came as null). */
export function useRecord<T extends Base>(api: Resource<T>, defaults: () => Partial<T>, normalize: (rec: T) => T = (r) => r) {
  const fill = (data: T) => normalize(withDefaults(defaults(), data))
  const model = ref<T>(defaults() as T) as { value: T }
  const errors = reactive<Record<string, string>>({})
  const error = ref('')
  const stale = ref(false)
  const saving = ref(false)
  const loading = ref(false)
  const etag = ref('')

  function clearErrors() {
    for (const k of Object.keys(errors)) delete errors[k]
    error.value = ''
    stale.value = false
  }

  function blank() {
    clearErrors()
    etag.value = ''
    model.value = structuredClone({ ...defaults() }) as T
  }

  async function open(id: number) {
    clearErrors()
    loading.value = true
    try {
      const r = await api.get(id)
      model.value = fill(r.data)
      etag.value = r.etag
      // The ETag is the version; it wins over a body that lacks one.
      const v = /^(?:W\/)?"(\d+)"$/.exec(r.etag)
      if (v) model.value.version = Number(v[1])
    } catch (e) {
      error.value = e instanceof ApiError ? e.text(isZh.value) : String(e)
    } finally {
      loading.value = false
    }
  }

  async function save(): Promise<SaveResult> {
    clearErrors()
    saving.value = true
    try {
      const r = model.value.id ? await api.update(model.value) : await api.create(model.value, crypto.randomUUID?.())
      model.value = fill(r.data)
      etag.value = r.etag
      return 'saved'
    } catch (e) {
      if (!(e instanceof ApiError)) {
        error.value = String(e)
        return 'failed'
      }
      if (e.status === 412 || e.code === 'stale') {
        stale.value = true
        error.value = e.text(isZh.value)
        return 'stale'
      }
      Object.assign(errors, e.fieldErrors(isZh.value))
      // With field errors, the form says so above and each shows at its field.
      error.value = Object.keys(errors).length ? '' : e.text(isZh.value)
      return Object.keys(errors).length ? 'invalid' : 'failed'
    } finally {
      saving.value = false
    }
  }

  /** errorsUnder returns the errors of fields below prefix ("skus[1]"). */
  function errorsUnder(prefix: string): string {
    return Object.entries(errors)
      .filter(([k]) => k === prefix || k.startsWith(prefix + '.') || k.startsWith(prefix + '['))
      .map(([, v]) => v)
      .join('; ')
  }

  return { model, errors, error, stale, saving, loading, etag, blank, open, save, errorsUnder, clearErrors }
}
