// The handheld's texts: Chinese first, English switchable; the choice is
// kept with the console's (same key), and Vant's own texts follow it.
import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantZh from 'vant/es/locale/lang/zh-CN'
import vantEn from 'vant/es/locale/lang/en-US'
import zh from './zh-CN'
import en from './en'

export type Lang = 'zh-CN' | 'en'
const LANG_KEY = 'jxc.lang'

function initial(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({ legacy: false, locale: initial(), fallbackLocale: 'zh-CN', messages: { 'zh-CN': zh, en } })

function apply(l: Lang): void {
  document.documentElement.lang = l
  Locale.use(l === 'en' ? 'en-US' : 'zh-CN', l === 'en' ? vantEn : vantZh)
}
apply(initial())

export function setLang(l: Lang): void {
  i18n.global.locale.value = l
  apply(l)
  try {
    localStorage.setItem(LANG_KEY, l)
  } catch {
    /* private mode */
  }
}

export const isZh = computed(() => i18n.global.locale.value === 'zh-CN')
