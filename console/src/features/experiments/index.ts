export { ExperimentPage } from "./components/ExperimentPage";
export { ExperimentsPage } from "./components/ExperimentsPage";
