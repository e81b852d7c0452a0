export { useMe, type Me } from "./api/me";
export { SignIn } from "./components/SignIn";
