/** The report page's style sheet (inline: the page loads nothing). */
export const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1a202c; background: #f7fafc; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 16px; margin: 16px 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dt { color: #4a5568; }
dd { margin: 0; }
.chart { position: relative; height: 320px; margin: 8px 0 12px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 3px 10px; text-align: left; }
th { background: #edf2f7; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.phi { color: #744210; }
.warn { color: #9b2c2c; }
`;
