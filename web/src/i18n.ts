// vue-i18n with zh-CN first and English second; the choice is kept in localStorage and sent to
// the API as Accept-Language so its messages match.
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'

export type Language = 'zh-CN' | 'en'
const KEY = 'steward.language'

function initial(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null
  return saved === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function language(): Language {
  return i18n.global.locale.value as Language
}

export function setLanguage(next: Language): void {
  i18n.global.locale.value = next
  localStorage.setItem(KEY, next)
  document.documentElement.lang = next
}
