export { AuditPage } from "./components/AuditPage";
export { FlagsPage } from "./components/FlagsPage";
export { GraphPage } from "./components/GraphPage";

export { ImportPage } from "./components/ImportPage";
export { QuestionsPage } from "./components/QuestionsPage";
export { UnitsPage } from "./components/UnitsPage";
export { useConceptGraph } from "./api/content";
