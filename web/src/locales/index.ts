// vue-i18n with zh-CN as the default and en switchable; the choice is
// remembered in localStorage.
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import elZh from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
import zh from './zh-CN'
import en from './en'

export type Lang = 'zh-CN' | 'en'
export const LANG_KEY = 'jxc.lang'

function initial(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

/** setLang switches the language and remembers it. */
export function setLang(l: Lang): void {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  try {
    localStorage.setItem(LANG_KEY, l)
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

export const lang = computed(() => i18n.global.locale.value as Lang)
export const isZh = computed(() => lang.value === 'zh-CN')
/** elLocale is Element Plus's own texts (pagination, date pickers). */
export const elLocale = computed(() => (isZh.value ? elZh : elEn))
