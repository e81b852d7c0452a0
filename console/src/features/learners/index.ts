export { LearnersPage } from "./components/LearnersPage";
