export type Position = { x: number; y: number };

/** A layered layout in O(V + E) for graphs too big for dagre (which took minutes on 2,000 concepts):
 * each concept one layer below its deepest prerequisite, each layer ordered by the mean position of
 * its concepts' prerequisites (one barycentre sweep, top down), centred. Edges are (concept, prerequisite). */
export function layeredPositions(ids: string[], edges: [string, string][], gapX = 140, gapY = 80): Record<string, Position> {
  const known = new Set(ids);
  const prerequisites = new Map<string, string[]>(ids.map((id) => [id, []]));
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [concept, prerequisite] of edges) {
    if (!known.has(concept) || !known.has(prerequisite)) continue;
    prerequisites.get(concept)!.push(prerequisite);
    dependents.get(prerequisite)!.push(concept);
  }
  // Longest-path layering in topological order (Kahn); anything left on a cycle stays in layer 0.
  const rank = new Map<string, number>(ids.map((id) => [id, 0]));
  const waiting = new Map<string, number>(ids.map((id) => [id, prerequisites.get(id)!.length]));
  const queue = ids.filter((id) => waiting.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const next of dependents.get(id)!) {
      rank.set(next, Math.max(rank.get(next)!, rank.get(id)! + 1));
      waiting.set(next, waiting.get(next)! - 1);
      if (waiting.get(next) === 0) queue.push(next);
    }
  }
  const layers: string[][] = [];
  for (const id of [...ids].sort()) (layers[rank.get(id)!] ??= []).push(id);
  const slot = new Map<string, number>();
  const positions: Record<string, Position> = {};
  layers.forEach((layer, depth) => {
    const centre = (id: string) => {
      const above = prerequisites.get(id)!.filter((p) => slot.has(p));
      return above.length ? above.reduce((sum, p) => sum + slot.get(p)!, 0) / above.length : 0;
    };
    const ordered = depth === 0 ? layer : [...layer].sort((a, b) => centre(a) - centre(b) || (a < b ? -1 : 1));
    ordered.forEach((id, i) => {
      const x = (i - (ordered.length - 1) / 2) * gapX;
      slot.set(id, x);
      positions[id] = { x, y: depth * gapY };
    });
  });
  return positions;
}
