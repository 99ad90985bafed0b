// Writes deploy/grafana/dashboards/*.json from the dashboards-as-code: npx tsx deploy/grafana/generate.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './dashboards.js';

const dir = fileURLToPath(new URL('./dashboards/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [file, json] of renderDashboards()) {
  writeFileSync(`${dir}${file}`, json);
  console.log(
    `wrote deploy/grafana/dashboards/${file} (${(JSON.parse(json) as { panels: unknown[] }).panels.length} panels and rows)`,
  );
}
