/** Token names for code that draws on canvas or WebGL and must read colours as values. */
import type { Severity } from './schema';

export const SEVERITY_VAR: Record<Severity, string> = {
  critical: '--mlnb-sev-critical',
  error: '--mlnb-sev-error',
  warning: '--mlnb-sev-warning'
};
export const MODEL_VAR = { A: '--mlnb-model-a', B: '--mlnb-model-b' } as const;
export const OUTCOME_VAR = { TP: '--mlnb-outcome-tp', FP: '--mlnb-outcome-fp', TN: '--mlnb-outcome-tn', FN: '--mlnb-outcome-fn' } as const;

/** The computed value of a token (or any CSS variable) at `el`, e.g. "#d32f2f". */
export function token(el: Element, name: string, fallback = '#888'): string {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v || fallback;
}
