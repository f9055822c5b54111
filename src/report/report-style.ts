/** The report's stylesheet, inlined in the page (the page loads nothing). */
export const reportStyle = `
:root {
  --ink: #202124; --muted: #5f6368; --line: #e3e6ea; --panel: #ffffff; --page: #f5f6f8;
  --accent: #3a6ea5; --warm: #e8743b;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif;
  color: var(--ink); background: var(--page); line-height: 1.45;
}
* { box-sizing: border-box; }
body { margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; font-weight: 650; letter-spacing: -0.01em; }
header .meta { color: var(--muted); margin: 0; font-size: 14px; }
nav { margin: 14px 0 0; font-size: 13px; display: flex; flex-wrap: wrap; gap: 6px 16px; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 24px; margin-top: 20px; }
h2 { font-size: 18px; margin: 0 0 14px; font-weight: 600; }
h3 { font-size: 14px; margin: 18px 0 8px; font-weight: 600; color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px;
  margin-top: 20px; }
.kpi { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 14px 16px; }
.kpi .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.04em; }
.kpi .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.kpi .note { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); gap: 20px; }
figure { margin: 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; max-width: 460px; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 14px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.04em; border-bottom: 2px solid var(--line); }
tbody tr:last-child td { border-bottom: none; }
.tables { display: flex; flex-wrap: wrap; gap: 24px 48px; align-items: flex-start; }
table.confusion td, table.confusion th { text-align: center; }
table.confusion td.hit { background: #eef4fb; font-weight: 600; }
table.params th:last-child { text-align: left; }
table.params td:last-child { text-align: left; font-family: ui-monospace, SFMono-Regular, Menlo,
  Consolas, monospace; font-size: 13px; word-break: break-word; }
pre { background: #f8f9fb; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
  overflow-x: auto; font-size: 13px; margin: 0;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; text-align: center; }
@media print { body { background: white; } section { break-inside: avoid; } }
`;
