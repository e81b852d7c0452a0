import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../lib/api";
import type { Role } from "../../../lib/roles";
import { getKey } from "../../../lib/session";

export type Me = { name: string; role: Role };

export function useMe() {
  return useQuery({
    queryKey: ["me", getKey()],
    queryFn: async () => (await unwrap(api.GET("/v1/me"))) as Me,
    enabled: getKey() !== null,
    retry: false,
  });
}
