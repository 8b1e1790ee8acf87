import { createApp } from 'vue'
import App from './App.vue'
import { i18n, lang } from './locales'
import { router } from './router'
import { installElement } from './plugins/element'
import { perm } from './directives/perm'
import { onApiError } from './api/http'
import { session, setMe } from './session'
import './styles.css'

document.documentElement.lang = lang.value

onApiError((e) => {
  if (e.code === 'password_change') session.mustChangePassword = true
  if (e.status === 401 && router.currentRoute.value.path !== '/login') {
    setMe(null)
    router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath } })
  }
})

const app = createApp(App)
installElement(app)
app.use(i18n)
app.use(router)
app.directive('perm', perm)
app.mount('#app')
