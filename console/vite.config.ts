import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Served by the API at /console; every asset is bundled (no CDN).
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: { outDir: "dist", chunkSizeWarningLimit: 1500 },
  server: { proxy: { "/v1": "http://127.0.0.1:8000" } },
  test: { environment: "jsdom" },
});
