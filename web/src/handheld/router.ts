// Hash history: the agent serves one page at /, every route is after #.
import { createRouter, createWebHashHistory } from 'vue-router'
import { session } from './api'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', component: () => import('./views/Login.vue'), meta: { open: true } },
    { path: '/', component: () => import('./views/Home.vue') },
    { path: '/receive', component: () => import('./views/Receive.vue') },
    { path: '/pick', component: () => import('./views/Pick.vue') },
    { path: '/count', component: () => import('./views/Count.vue') },
    { path: '/transfer', component: () => import('./views/Transfer.vue') },
    { path: '/purchase-return', component: () => import('./views/PurchaseReturn.vue') },
    { path: '/sales-return', component: () => import('./views/SalesReturn.vue') },
    { path: '/retail-return', component: () => import('./views/RetailReturn.vue') },
    { path: '/assembly', component: () => import('./views/Assembly.vue') },
    { path: '/other', component: () => import('./views/Other.vue') },
    { path: '/checkout', component: () => import('./views/Checkout.vue') },
    { path: '/stock', component: () => import('./views/Stock.vue') },
    { path: '/alerts', component: () => import('./views/Alerts.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.open && !session.token) return '/login'
  return true
})
