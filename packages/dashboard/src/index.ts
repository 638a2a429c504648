export { dashboardPlugin, dashboardPlugin as default } from './dashboard-plugin.js';
export { dashboardOptionsSchema, type DashboardOptions } from './options.js';
export { DASHBOARD_CSP, dashboardHtml, type DashboardPageOptions } from './dashboard-page.js';
export { DASHBOARD_FILES, dashboardAssetsDir, uplotDistDir } from './dashboard-assets.js';
