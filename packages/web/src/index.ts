// The page: a live monitor's summary, peer table and charts over server-sent events, or a dashboard
// over a history database. Every asset is served from this package and from npm (uPlot): no CDN.
export { startWeb, type WebOptions, type WebServer } from './server.js';
export { viewOfSnapshot, type PageView, type PageRow, type ChartPoint } from './view.js';
