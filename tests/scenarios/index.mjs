// Every scenario file, by name: each engine's runner (tests/e2e/scenarios.test.mjs,
// tests/webkit/scenarios.test.mjs) runs them all. AUTOLOGOFF_SCENARIOS=hostile-page,not-ours
// runs only those files.
import { scenarios as hostilePage } from './hostile-page.mjs';
import { scenarios as notOurs } from './not-ours.mjs';
import { scenarios as fallback } from './fallback.mjs';
import { scenarios as conceal } from './conceal.mjs';
import { scenarios as termination } from './termination.mjs';
import { scenarios as multiTab } from './multi-tab.mjs';
import { scenarios as mainPath } from './main-path.mjs';
import { scenarios as accessibility } from './accessibility.mjs';

const ALL = {
  'main-path': mainPath,
  accessibility,
  'hostile-page': hostilePage,
  'not-ours': notOurs,
  fallback,
  conceal,
  termination,
  'multi-tab': multiTab,
};

const only = process.env.AUTOLOGOFF_SCENARIOS?.split(',');

/** [file, name, scenario] for each scenario to run. */
export const scenarios = Object.entries(ALL)
  .filter(([file]) => !only || only.includes(file))
  .flatMap(([file, list]) => Object.entries(list).map(([name, run]) => [file, name, run]));
