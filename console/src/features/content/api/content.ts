import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../../lib/api";

export type Concept = Schemas["Concept"];
/** Edges are (concept, its prerequisite) pairs. */
export type ConceptGraph = Omit<Schemas["ConceptGraph"], "edges"> & { edges: [string, string][] };
export type Question = Schemas["Question"];
export type ChangeRecord = Schemas["ChangeRecord"];

export const useConceptGraph = () =>
  useQuery({
    queryKey: ["content", "graph"],
    queryFn: async () => (await unwrap(api.GET("/v1/content/graph"))) as ConceptGraph,
  });

export const useConcept = (id: string | null) =>
  useQuery({
    queryKey: ["content", "concept", id],
    queryFn: () =>
      unwrap(api.GET("/v1/concepts/{concept_id}", { params: { path: { concept_id: id ?? "" } } })) as Promise<Concept | null>,
    enabled: id !== null,
  });

/** The units whose own questions assess a concept. */
export const useConceptUnits = (id: string, limit = 20) =>
  useQuery({
    queryKey: ["content", "units", "concept", id, limit],
    queryFn: () => unwrap(api.GET("/v1/units", { params: { query: { concept: id, limit } } })),
  });

export type QuestionFilter = { q?: string; unit?: string; concept?: string; difficulty?: number; offset: number };

export const useQuestions = (filter: QuestionFilter, limit = 20) =>
  useQuery({
    queryKey: ["content", "questions", filter, limit],
    queryFn: () => unwrap(api.GET("/v1/questions", { params: { query: { ...filter, limit } } })),
  });

/** Every content write invalidates the content queries (the version moved). */
function useContentMutation<A, R>(run: (args: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => client.invalidateQueries({ queryKey: ["content"] }),
  });
}

export const useCreateConcept = () =>
  useContentMutation((body: Concept) => unwrap(api.POST("/v1/concepts", { body })));

export const useUpdateConcept = () =>
  useContentMutation(({ id, ...body }: { id: string; name?: string; description?: string; subject?: string }) =>
    unwrap(api.PATCH("/v1/concepts/{concept_id}", { params: { path: { concept_id: id } }, body })),
  );

/** Delete a concept; its own query is set empty (fresh) rather than asked again for a 404. */
export const useDeleteConcept = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, cascade }: { id: string; cascade: boolean }) =>
      unwrap(api.DELETE("/v1/concepts/{concept_id}", { params: { path: { concept_id: id }, query: { cascade } } })),
    onSuccess: (_, { id }) => {
      client.setQueryData(["content", "concept", id], null);
      return client.invalidateQueries({
        queryKey: ["content"],
        predicate: (query) => !(query.queryKey[1] === "concept" && query.queryKey[2] === id),
      });
    },
  });
};

type Edge = { concept: string; prerequisite: string };
const edgePath = ({ concept, prerequisite }: Edge) => ({
  params: { path: { concept_id: concept, prerequisite_id: prerequisite } },
});

export const useAddPrerequisite = () =>
  useContentMutation((edge: Edge) =>
    unwrap(api.PUT("/v1/concepts/{concept_id}/prerequisites/{prerequisite_id}", edgePath(edge))),
  );

export const useRemovePrerequisite = () =>
  useContentMutation((edge: Edge) =>
    unwrap(api.DELETE("/v1/concepts/{concept_id}/prerequisites/{prerequisite_id}", edgePath(edge))),
  );

export const useSaveQuestion = () =>
  useContentMutation(({ question, isNew }: { question: Question; isNew: boolean }) => {
    if (isNew) return unwrap(api.POST("/v1/questions", { body: question }));
    const { id, ...body } = question;
    return unwrap(api.PATCH("/v1/questions/{question_id}", { params: { path: { question_id: id } }, body }));
  });

export const useUnitTree = (id: string | null) =>
  useQuery({
    queryKey: ["content", "tree", id],
    queryFn: () => unwrap(api.GET("/v1/units/{unit_id}/tree", { params: { path: { unit_id: id ?? "" } } })),
    enabled: id !== null,
  });

export const useTopUnits = () =>
  useQuery({
    queryKey: ["content", "units", "subject"],
    queryFn: () => unwrap(api.GET("/v1/units", { params: { query: { kind: "subject", limit: 100 } } })),
  });

export const useUnitMember = () =>
  useContentMutation(
    ({ unit, child, kind, remove }: { unit: string; child: string; kind: "unit" | "question"; remove: boolean }) => {
      if (kind === "unit") {
        const path = { params: { path: { unit_id: unit, child_id: child } } };
        return unwrap(remove ? api.DELETE("/v1/units/{unit_id}/units/{child_id}", path) : api.PUT("/v1/units/{unit_id}/units/{child_id}", path));
      }
      const path = { params: { path: { unit_id: unit, question_id: child } } };
      return unwrap(
        remove ? api.DELETE("/v1/units/{unit_id}/questions/{question_id}", path) : api.PUT("/v1/units/{unit_id}/questions/{question_id}", path),
      );
    },
  );

export const useImport = () =>
  useContentMutation(({ document, dryRun }: { document: Record<string, unknown>; dryRun: boolean }) =>
    unwrap(api.POST("/v1/content/import", { body: document, params: { query: { dry_run: dryRun } } })),
  );

export const fetchExport = () => unwrap(api.GET("/v1/content/export"));

export type ChangeFilter = { entity?: string; author?: string; since?: string; offset: number };

export const useChanges = (filter: ChangeFilter) =>
  useQuery({
    queryKey: ["content", "changes", filter],
    queryFn: () => unwrap(api.GET("/v1/content/changes", { params: { query: { ...filter, limit: 25 } } })),
  });

export type Flag = {
  question_id: string;
  text: string;
  reports: number;
  last_reported: string;
  reported_by: { user_id: string; at: string }[];
};

export const useFlags = () =>
  useQuery({
    queryKey: ["content", "flags"],
    queryFn: async () => (await unwrap(api.GET("/v1/content/flags"))) as unknown as Flag[],
  });

export const useResolveFlag = () =>
  useContentMutation((questionId: string) =>
    unwrap(api.POST("/v1/content/flags/{question_id}/resolve", { params: { path: { question_id: questionId } } })),
  );
