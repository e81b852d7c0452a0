import { QueryClientProvider, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { HashRouter, Navigate, NavLink, Route, Routes } from "react-router-dom";

import { AuditPage, FlagsPage, GraphPage, ImportPage, QuestionsPage, UnitsPage } from "../features/content";
import { ExperimentPage, ExperimentsPage } from "../features/experiments";
import { SignIn, useMe } from "../features/auth";
import { LearnersPage } from "../features/learners";
import { ModelsPage } from "../features/models";
import { ErrorNote, Loading } from "../components/Status";
import { queryClient } from "../lib/query";
import { can, type Permission } from "../lib/roles";
import { clearKey, getKey } from "../lib/session";

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
      </main>
    </HashRouter>
  );
}
