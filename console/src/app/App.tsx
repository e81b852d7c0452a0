import { QueryClientProvider, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { HashRouter, Navigate, NavLink, Route, Routes } from "react-router-dom";

import { SignIn, useMe } from "../features/auth";
import { ErrorNote, Loading } from "../components/Status";
import { queryClient } from "../lib/query";
import { can, type Permission } from "../lib/roles";
import { clearKey, getKey } from "../lib/session";

// Each feature is its own chunk, fetched when one of its pages is first opened (Cytoscape, which
// the graph and learner pages draw with, is a chunk of its own: components/GraphView.tsx).
const content = () => import("../features/content");
const experiments = () => import("../features/experiments");
const AuditPage = lazy(() => content().then((m) => ({ default: m.AuditPage })));
const FlagsPage = lazy(() => content().then((m) => ({ default: m.FlagsPage })));
const GraphPage = lazy(() => content().then((m) => ({ default: m.GraphPage })));
const ImportPage = lazy(() => content().then((m) => ({ default: m.ImportPage })));
const QuestionsPage = lazy(() => content().then((m) => ({ default: m.QuestionsPage })));
const UnitsPage = lazy(() => content().then((m) => ({ default: m.UnitsPage })));
const ExperimentPage = lazy(() => experiments().then((m) => ({ default: m.ExperimentPage })));
const ExperimentsPage = lazy(() => experiments().then((m) => ({ default: m.ExperimentsPage })));
const LearnersPage = lazy(() => import("../features/learners").then((m) => ({ default: m.LearnersPage })));
const ModelsPage = lazy(() => import("../features/models").then((m) => ({ default: m.ModelsPage })));

type Page = { path: string; label: string; needs: Permission };

const PAGES: Page[] = [
  { path: "/graph", label: "Concept graph", needs: "content.read" },
  { path: "/units", label: "Units", needs: "content.read" },
  { path: "/questions", label: "Questions", needs: "content.read" },
  { path: "/import", label: "Import & export", needs: "content.read" },
  { path: "/audit", label: "Audit", needs: "content.read" },
  { path: "/flags", label: "Flags", needs: "flags.read" },
  { path: "/experiments", label: "Experiments", needs: "experiments.read" },
  { path: "/models", label: "Models", needs: "models.read" },
  { path: "/learners", label: "Learners", needs: "learners.read" },
];

export function App() {
  const [signedIn, setSignedIn] = useState(getKey() !== null);
  return (
    <QueryClientProvider client={queryClient}>
      {signedIn ? <Shell onSignOut={() => setSignedIn(false)} /> : <SignIn onSignedIn={() => setSignedIn(true)} />}
    </QueryClientProvider>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const me = useMe();
  const client = useQueryClient();
  const signOut = () => {
    clearKey();
    client.clear();
    onSignOut();
  };
  if (me.isPending) return <Loading what="your role" />;
  if (me.error)
    return (
      <main className="signin">
        <ErrorNote error={me.error} />
        <button type="button" onClick={signOut}>Sign in again</button>
      </main>
    );
  const role = me.data.role;
  const pages = PAGES.filter((p) => can(role, p.needs));
  return (
    <HashRouter>
      <header className="top">
        <strong>learner-graph</strong>
        <nav aria-label="Pages">
          {pages.map((p) => (
            <NavLink key={p.path} to={p.path}>{p.label}</NavLink>
          ))}
        </nav>
        <span className="who" data-testid="who">
          {me.data.name} · <span className="badge">{role}</span>
        </span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main className="content">
        {pages.length === 0 && <p>This key ({role}) is for learner apps; the console has nothing for it.</p>}
        <Suspense fallback={<Loading what="the page" />}>
          <Routes>
            <Route path="/graph" element={<GraphPage canEdit={can(role, "content.write")} />} />
            <Route path="/units" element={<UnitsPage canEdit={can(role, "content.write")} />} />
            <Route path="/questions" element={<QuestionsPage canEdit={can(role, "content.write")} />} />
            <Route path="/import" element={<ImportPage canEdit={can(role, "content.write")} />} />
            <Route path="/audit" element={<AuditPage />} />
            <Route path="/flags" element={<FlagsPage canResolve={can(role, "content.write")} />} />
            <Route path="/experiments" element={<ExperimentsPage canEdit={can(role, "experiments.write")} />} />
            <Route path="/experiments/:key" element={<ExperimentPage canEdit={can(role, "experiments.write")} />} />
            <Route path="/models" element={<ModelsPage canActivate={can(role, "models.write")} />} />
            <Route path="/learners" element={<LearnersPage />} />
            <Route path="*" element={pages[0] ? <Navigate to={pages[0].path} replace /> : null} />
          </Routes>
        </Suspense>
      </main>
    </HashRouter>
  );
}
