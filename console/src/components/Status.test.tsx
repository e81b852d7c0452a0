import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { ApiError } from "../lib/api";
import { ErrorNote, FieldError } from "./Status";

afterEach(cleanup);

const refused = new ApiError(422, "invalid experiment definition", "invalid", [
  { field: "arms.1.overrides.target_p", message: "must be between 0.05 and 0.95" },
  { field: "body.control", message: "is not one of the arms" },
], null);

describe("ErrorNote", () => {
  it("shows the message and every field the API named", () => {
    render(<ErrorNote error={refused} />);
    expect(screen.getByRole("alert").textContent).toContain("invalid experiment definition");
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "arms.1.overrides.target_p must be between 0.05 and 0.95",
      "body.control is not one of the arms",
    ]);
  });

  it("shows nothing without an error", () => {
    const { container } = render(<ErrorNote error={null} />);
    expect(container.innerHTML).toBe("");
  });
});

describe("FieldError", () => {
  it("shows the API's message beside the field it names, even under a body. prefix", () => {
    render(<FieldError error={refused} field="control" />);
    expect(screen.getByRole("alert").textContent).toBe("is not one of the arms");
  });

  it("stays empty for a field the API did not name", () => {
    const { container } = render(<FieldError error={refused} field="key" />);
    expect(container.innerHTML).toBe("");
  });
});
