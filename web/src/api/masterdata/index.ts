// The master data collections (cloud/masterdata/API.md), one client each.
import { resource } from './resource'
import type { Account, Bin, Category, Customer, Product, Site, StockLimit, Supplier, Unit } from './types'

export const categories = resource<Category>('/categories')
export const units = resource<Unit>('/units')
export const products = resource<Product>('/products')
export const sites = resource<Site>('/sites')
export const bins = resource<Bin>('/bins')
export const stockLimits = resource<StockLimit>('/stock-limits')
export const suppliers = resource<Supplier>('/suppliers')
export const customers = resource<Customer>('/customers')
export const accounts = resource<Account>('/accounts')

export * from './resource'
export * from './types'
