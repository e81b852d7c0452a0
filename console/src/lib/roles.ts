// What each role may do in the console; the API enforces the same (docs/CONSOLE.md has the table).
export type Role = "learner_app" | "content_editor" | "analyst" | "experimenter" | "admin";

export type Permission =
  | "content.read"
  | "content.write"
  | "flags.read"
  | "experiments.read"
  | "experiments.write"
  | "models.read"
  | "models.write"
  | "learners.read";

const GRANTS: Record<Role, Permission[]> = {
  learner_app: ["content.read", "learners.read"],
  content_editor: ["content.read", "content.write", "flags.read", "learners.read"],
  analyst: ["content.read", "flags.read", "experiments.read", "models.read", "learners.read"],
  experimenter: ["experiments.read", "experiments.write"],
  admin: [
    "content.read",
    "content.write",
    "flags.read",
    "experiments.read",
    "experiments.write",
    "models.read",
    "models.write",
    "learners.read",
  ],
};

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && GRANTS[role].includes(permission);
}
