import type { DeploymentRouting, RouterConfig } from '../../config/config.js';
import type { DeploymentHealth } from './deployment-health.js';

export interface Candidate {
  routing: DeploymentRouting;
  health: DeploymentHealth;
}

/**
 * One deployment out of the candidates, by the group's strategy (LiteLLM's names and meanings):
 * - `simple-shuffle`: at random, weighted by `weight`, else `rpm`, else `tpm` when a deployment sets one
 *   (a deployment without it weighs 0, as in LiteLLM), else evenly;
 * - `least-busy`: the fewest requests in flight in this container;
 * - `latency-based-routing`: the lowest recent time to the first token; a deployment not yet measured first.
 * Ties are broken at random.
 */
export function pick<C extends Candidate>(candidates: readonly C[], strategy: RouterConfig['strategy'], random = Math.random): C {
  if (candidates.length === 1) return candidates[0]!;
  switch (strategy) {
    case 'least-busy':
      return lowest(candidates, (c) => c.health.inFlight, random);
    case 'latency-based-routing':
      return lowest(candidates, (c) => c.health.latency() ?? -1, random);
    default:
      return weighted(candidates, random);
  }
}

function weighted<C extends Candidate>(candidates: readonly C[], random: () => number): C {
  const key = (['weight', 'rpm', 'tpm'] as const).find((k) => candidates.some((c) => c.routing[k] !== undefined));
  if (key) {
    const weights = candidates.map((c) => c.routing[key] ?? 0);
    const total = weights.reduce((a, b) => a + b, 0);
    if (total > 0) {
      let at = random() * total;
      for (let i = 0; i < candidates.length; i++) {
        at -= weights[i]!;
        if (at < 0) return candidates[i]!;
      }
    }
  }
  return candidates[Math.floor(random() * candidates.length)]!;
}

function lowest<C>(candidates: readonly C[], score: (c: C) => number, random: () => number): C {
  let best: C[] = [];
  let min = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const s = score(c);
    if (s < min) {
      min = s;
      best = [c];
    } else if (s === min) best.push(c);
  }
  return best[Math.floor(random() * best.length)]!;
}
