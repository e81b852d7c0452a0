import type cytoscape from "cytoscape";
import type { Core, ElementDefinition } from "cytoscape";
import { useEffect, useRef, useState } from "react";

import { layeredPositions } from "./layered";

type Cytoscape = typeof cytoscape;
let loading: Promise<Cytoscape> | null = null;

/** Cytoscape and its dagre layout, fetched as their own chunk the first time a graph is drawn
 * (only the graph and learner pages need them). */
function loadCytoscape(): Promise<Cytoscape> {
  loading ??= Promise.all([import("cytoscape"), import("cytoscape-dagre")]).then(([core, dagre]) => {
    core.default.use(dagre.default);
    return core.default;
  });
  return loading;
}

export type GraphNode = { id: string; name: string; subject?: string | null };
export type Paint = { fill?: string; outline?: boolean; title?: string };

type Props = {
  nodes: GraphNode[];
  edges: [string, string][]; // (concept, prerequisite): drawn prerequisite -> concept
  selected?: string | null;
  onSelect?: (id: string | null) => void;
  highlight?: string[]; // a path of ids (e.g. a refused cycle), drawn in red
  paint?: Record<string, Paint>;
  hiddenSubjects?: string[];
  label?: string;
};

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(name)",
      "font-size": 10,
      "text-valign": "center",
      "text-wrap": "ellipsis",
      "text-max-width": "110px",
      width: 120,
      height: 28,
      shape: "round-rectangle",
      "background-color": "data(fill)",
      "border-width": 1,
      "border-color": "#6b7280",
    },
  },
  { selector: "node.due", style: { "border-width": 4, "border-color": "#f59e0b" } },
  { selector: "node:selected", style: { "border-width": 3, "border-color": "#2563eb" } },
  {
    selector: "edge",
    style: {
      width: 1,
      "line-color": "#9ca3af",
      "target-arrow-color": "#9ca3af",
      "target-arrow-shape": "triangle",
      "curve-style": "straight",
    },
  },
  { selector: "node.cycle", style: { "border-color": "#dc2626", "border-width": 4 } },
  { selector: "edge.cycle", style: { "line-color": "#dc2626", "target-arrow-color": "#dc2626", width: 3 } },
  { selector: ".hidden", style: { display: "none" } },
];

// dagre draws small graphs best; above this many concepts it takes too long and the linear layout is used.
const DAGRE_MAX = 300;

function elements(nodes: GraphNode[], edges: [string, string][], paint: Record<string, Paint>): ElementDefinition[] {
  const ids = new Set(nodes.map((n) => n.id));
  const at = nodes.length > DAGRE_MAX ? layeredPositions([...ids], edges) : {};
  return [
    ...nodes.map((n) => ({
      data: { id: n.id, name: n.name, subject: n.subject ?? "", fill: paint[n.id]?.fill ?? "#e5e7eb" },
      position: at[n.id],
      classes: paint[n.id]?.outline ? "due" : "",
    })),
    ...edges
      .filter(([c, p]) => ids.has(c) && ids.has(p))
      .map(([c, p]) => ({ data: { id: `${p}->${c}`, source: p, target: c } })),
  ];
}

/** The concept graph as a layered DAG (dagre), prerequisites above what requires them. */
export function GraphView({ nodes, edges, selected, onSelect, highlight, paint = {}, hiddenSubjects = [], label = "Concept graph" }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;
  const [lib, setLib] = useState<Cytoscape | null>(null);

  useEffect(() => {
    let live = true;
    void loadCytoscape().then((loaded) => live && setLib(() => loaded));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!box.current || !lib) return;
    const instance = lib({
      container: box.current,
      elements: elements(nodes, edges, paint),
      style: STYLE,
      layout:
        nodes.length > DAGRE_MAX
          ? { name: "preset", fit: true }
          : ({ name: "dagre", rankDir: "TB", nodeSep: 12, rankSep: 50, animate: false } as cytoscape.LayoutOptions),
      minZoom: 0.02,
      maxZoom: 3,
      textureOnViewport: nodes.length > 500,
      hideEdgesOnViewport: nodes.length > 500,
      selectionType: "single",
    });
    instance.on("tap", "node", (event) => select.current?.(event.target.id()));
    instance.on("tap", (event) => {
      if (event.target === instance) select.current?.(null);
    });
    cy.current = instance;
    box.current.dataset.ready = "true";
    return () => {
      instance.destroy();
      cy.current = null;
    };
  }, [lib, nodes, edges, paint]);

  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    instance.batch(() => {
      instance.nodes().forEach((n) => {
        n.toggleClass("hidden", hiddenSubjects.includes(n.data("subject")));
      });
    });
  }, [lib, hiddenSubjects, nodes, edges, paint]);

  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    instance.elements().unselect();
    if (selected) {
      const node = instance.getElementById(selected);
      if (node.nonempty()) {
        node.select();
        instance.animate({ center: { eles: node }, zoom: Math.max(instance.zoom(), 0.8) }, { duration: 200 });
      }
    }
  }, [lib, selected, nodes, edges, paint]);

  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    instance.elements().removeClass("cycle");
    const path = highlight ?? [];
    path.forEach((id, i) => {
      instance.getElementById(id).addClass("cycle");
      const next = path[i + 1];
      // the path is concept -> its prerequisite -> ...; edges are drawn prerequisite -> concept
      if (next) instance.getElementById(`${next}->${id}`).addClass("cycle");
    });
    if (path.length) {
      instance.fit(instance.elements(".cycle"), 80);
      if (instance.zoom() > 1) instance.zoom({ level: 1, renderedPosition: { x: instance.width() / 2, y: instance.height() / 2 } });
    }
  }, [lib, highlight, nodes, edges, paint]);

  return (
    <div
      ref={box}
      className="graph"
      role="img"
      aria-label={`${label}: ${nodes.length} concepts, ${edges.length} prerequisite edges`}
      data-testid="graph"
      data-highlight={(highlight ?? []).join(",")}
      data-painted={Object.keys(paint).length}
    />
  );
}
