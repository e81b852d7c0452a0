import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../lib/api";

export type Bucket = { lo: number; hi: number; n: number; predicted: number | null; observed: number | null };
export type ModelVersion = {
  id: string;
  trained_at: string | null;
  scope: string[] | null;
  dim: number | null;
  active: boolean | null;
  activated_at: string | null;
  metrics: {
    auc?: number;
    log_loss?: number;
    brier?: number;
    accuracy?: number;
    ece?: number;
    n?: number;
    calibration?: Bucket[];
    baselines?: Record<string, { auc?: number; log_loss?: number; ece?: number }>;
    /** The offset fitted on answers to served next-best items (null: none were served yet). */
    served_calibration?: { items: number; learners: number; predicted: number; observed: number; offset: number } | null;
  };
};

export const useModels = () =>
  useQuery({
    queryKey: ["models"],
    queryFn: async () =>
      (await unwrap(api.GET("/v1/admin/models", { params: { query: { limit: 200 } } }))).items as unknown as ModelVersion[],
  });

export const useActivate = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/admin/models/{model_id}/activate", { params: { path: { model_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["models"] }),
  });
};
