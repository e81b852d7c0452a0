import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../../lib/api";

const keyPath = (key: string) => ({ params: { path: { key } } });

const getExperiment = (key: string) => unwrap(api.GET("/v1/experiments/{key}", keyPath(key)));
export type Experiment = Awaited<ReturnType<typeof getExperiment>>;
export type ExperimentCreate = Schemas["ExperimentCreate"];
export type Results = Schemas["Results"];
export type MetricRow = Schemas["MetricRow"];
export type Rules = Schemas["ExperimentRules"];
export type DailyExposures = Schemas["DailyExposures"];


export const useExperiments = () =>
  useQuery({
    queryKey: ["experiments"],
    queryFn: async () => (await unwrap(api.GET("/v1/experiments", { params: { query: { limit: 500 } } }))).items,
  });

export const useExperiment = (key: string) =>
  useQuery({ queryKey: ["experiments", key], queryFn: () => getExperiment(key) });

export const useRules = () =>
  useQuery({ queryKey: ["experiment-rules"], queryFn: () => unwrap(api.GET("/v1/experiment-rules")), staleTime: Infinity });

export const useResults = (key: string) =>
  useQuery({ queryKey: ["experiments", key, "results"], queryFn: async () => (await unwrap(api.GET("/v1/experiments/{key}/results", keyPath(key)))) as Results });

export const useExposures = (key: string) =>
  useQuery({ queryKey: ["experiments", key, "exposures"], queryFn: () => unwrap(api.GET("/v1/experiments/{key}/exposures", keyPath(key))) });

export async function fetchResultsCsv(key: string): Promise<string> {
  return unwrap(
    api.GET("/v1/experiments/{key}/results", { params: { path: { key }, query: { format: "csv" } }, parseAs: "text" }),
  ) as unknown as Promise<string>;
}

function useExperimentMutation<A, R>(run: (args: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ["experiments"] }) });
}

export const useSaveExperiment = () =>
  useExperimentMutation(({ body, isNew }: { body: ExperimentCreate; isNew: boolean }) =>
    isNew
      ? unwrap(api.POST("/v1/experiments", { body }))
      : unwrap(api.PUT("/v1/experiments/{key}", { ...keyPath(body.key), body })),
  );

export const useTransition = () =>
  useExperimentMutation(({ key, to }: { key: string; to: "start" | "stop" }) =>
    to === "start"
      ? unwrap(api.POST("/v1/experiments/{key}/start", keyPath(key)))
      : unwrap(api.POST("/v1/experiments/{key}/stop", keyPath(key))),
  );

export const useCoverage = () =>
  useExperimentMutation(({ key, coverage }: { key: string; coverage: number }) =>
    unwrap(api.PATCH("/v1/experiments/{key}", { ...keyPath(key), body: { coverage } })),
  );
