// Routes and the side menu, from one table: each page names the
// permission (any of) that shows it.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { canAny, load, session } from '../session'
import { docTypes, type DocType } from '../api/docs'

/** MenuItem is a page of the side menu. */
export interface MenuItem {
  path: string
  title: string // i18n key
  perms?: string[]
  icon?: string
  component: () => Promise<unknown>
  /** docType names the document type of a document page. */
  docType?: string
}

/** MenuGroup is a titled group of pages. */
export interface MenuGroup {
  title: string
  icon: string
  items: MenuItem[]
}

const docList = () => import('../views/docs/DocList.vue')
const docDetail = () => import('../views/docs/DocDetail.vue')
const docForm = () => import('../views/docs/DocForm.vue')

/** docItem is the menu page of a document type's list. */
const docItem = (t: DocType): MenuItem => ({
  path: `/${t.path}`, title: `dt.${t.name}.title`, perms: [`${t.module}.view`], component: docList, docType: t.name,
})
const docItems = (module: DocType['module']) => docTypes.filter((t) => t.module === module).map(docItem)

export const home: MenuItem = { path: '/', title: 'menu.home', icon: 'House', component: () => import('../views/Home.vue') }

export const menu: MenuGroup[] = [
  {
    title: 'menu.masterdata', icon: 'Box',
    items: [
      { path: '/products', title: 'menu.products', perms: ['product.view'], component: () => import('../views/masterdata/products/index.vue') },
      { path: '/categories', title: 'menu.categories', perms: ['product.view'], component: () => import('../views/masterdata/categories/index.vue') },
      { path: '/units', title: 'menu.units', perms: ['product.view'], component: () => import('../views/masterdata/units/index.vue') },
      { path: '/sites', title: 'menu.sites', perms: ['site.view'], component: () => import('../views/masterdata/sites/index.vue') },
      { path: '/bins', title: 'menu.bins', perms: ['site.view'], component: () => import('../views/masterdata/bins/index.vue') },
      { path: '/stock-limits', title: 'menu.stockLimits', perms: ['product.view'], component: () => import('../views/masterdata/stock-limits/index.vue') },
      { path: '/suppliers', title: 'menu.suppliers', perms: ['partner.view'], component: () => import('../views/masterdata/suppliers/index.vue') },
      { path: '/customers', title: 'menu.customers', perms: ['partner.view'], component: () => import('../views/masterdata/customers/index.vue') },
      { path: '/accounts', title: 'menu.accounts', perms: ['account.view'], component: () => import('../views/masterdata/accounts/index.vue') },
      { path: '/settings', title: 'menu.settings', perms: ['product.view'], component: () => import('../views/masterdata/settings/index.vue') },
    ],
  },
  {
    title: 'menu.purchasing', icon: 'ShoppingCart',
    items: [
      ...docItems('purchase'),
      { path: '/replenishment', title: 'menu.replenishment', perms: ['purchase.view'], component: () => import('../views/purchasing/replenishment/index.vue') },
    ],
  },
  { title: 'menu.sales', icon: 'Sell', items: docItems('sales') },
  { title: 'menu.retail', icon: 'Shop', items: docItems('retail') },
  {
    title: 'menu.inventory', icon: 'Histogram',
    items: [
      { path: '/stock', title: 'menu.stock', perms: ['stock.view'], component: () => import('../views/inventory/stock/index.vue') },
      { path: '/stock-alerts', title: 'menu.stockAlerts', perms: ['stock.view'], component: () => import('../views/inventory/alerts/index.vue') },
      { path: '/count-conflicts', title: 'menu.conflicts', perms: ['inventory.view'], component: () => import('../views/inventory/conflicts/index.vue') },
      ...docItems('inventory'),
    ],
  },
  {
    title: 'menu.devicesGroup', icon: 'Cpu',
    items: [
      { path: '/devices', title: 'menu.devices', perms: ['device.view'], component: () => import('../views/devices/index.vue') },
      { path: '/device-profiles', title: 'menu.deviceProfiles', perms: ['device.view'], component: () => import('../views/devices/profiles/index.vue') },
    ],
  },
  {
    title: 'menu.system', icon: 'Setting',
    items: [
      { path: '/users', title: 'menu.users', perms: ['user.view'], component: () => import('../views/system/users/index.vue') },
      { path: '/roles', title: 'menu.roles', perms: ['role.view'], component: () => import('../views/system/roles/index.vue') },
      { path: '/audit', title: 'menu.audit', perms: ['audit.view'], component: () => import('../views/system/audit/index.vue') },
      { path: '/lockouts', title: 'menu.lockouts', perms: ['user.view'], component: () => import('../views/system/lockouts/index.vue') },
    ],
  },
]

const pages: RouteRecordRaw[] = [home, ...menu.flatMap((g) => g.items)].map((m) => ({
  path: m.path,
  component: m.component,
  meta: { title: m.title, perms: m.perms, docType: m.docType },
}))

// Each document type's detail, and its form where drafts are made in the
// console (the types made at the sites are read-only here). meta.menu is
// the menu entry they belong to.
for (const t of docTypes) {
  const meta = { title: `dt.${t.name}.title`, docType: t.name, menu: `/${t.path}` }
  if (t.creatable) {
    const edit = { ...meta, perms: [`${t.module}.edit`] }
    pages.push({ path: `/${t.path}/new`, component: docForm, meta: edit })
    pages.push({ path: `/${t.path}/:id(\\d+)/edit`, component: docForm, meta: edit })
  }
  pages.push({ path: `/${t.path}/:id(\\d+)`, component: docDetail, meta: { ...meta, perms: [`${t.module}.view`] } })
}

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/login', component: () => import('../views/Login.vue'), meta: { public: true } },
    { path: '/', component: () => import('../views/Layout.vue'), children: pages },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.me && !(await load())) return { path: '/login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  if (!canAny(to.meta.perms as string[] | undefined)) return '/'
  return true
})
