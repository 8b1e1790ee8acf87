import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'
import { i18n } from './locales'
import { router } from './router'
import { setSession, whenSignedOut } from './api'
import { startSync } from './store'
import './handheld.css'

whenSignedOut(() => {
  setSession('', null)
  if (router.currentRoute.value.path !== '/login') router.push('/login')
})
startSync()

createApp(App).use(Vant).use(i18n).use(router).mount('#app')
