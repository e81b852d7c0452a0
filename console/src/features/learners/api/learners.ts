import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../../lib/api";

export type Mastery = Schemas["ConceptMastery"];
export type Streak = Schemas["StreakOut"];
export type Recommendation = Schemas["RecommendationOut"];
export type Attempt = { id: string; question_id: string; correct: boolean; at: string; time_ms?: number | null };

const user = (id: string) => ({ params: { path: { user_id: id } } });

export const useLearners = (text: string, cursor: string | null) =>
  useQuery({
    queryKey: ["learners", text, cursor],
    queryFn: () => unwrap(api.GET("/v1/users", { params: { query: { q: text || undefined, cursor: cursor ?? undefined, limit: 25 } } })),
  });

export const useLearnerGraph = () =>
  useQuery({
    queryKey: ["content", "graph"],
    queryFn: async () => (await unwrap(api.GET("/v1/content/graph"))) as { concepts: { id: string; name: string; subject?: string | null }[]; edges: [string, string][] },
  });

export const useMastery = (id: string) =>
  useQuery({ queryKey: ["learner", id, "mastery"], queryFn: async () => (await unwrap(api.GET("/v1/users/{user_id}/mastery", { params: { path: { user_id: id }, query: { limit: 500 } } }))).items });

export const useStreak = (id: string) =>
  useQuery({ queryKey: ["learner", id, "streak"], queryFn: () => unwrap(api.GET("/v1/users/{user_id}/streak", user(id))) });

export const useAttempts = (id: string) =>
  useQuery({
    queryKey: ["learner", id, "attempts"],
    queryFn: async () => {
      const page = await unwrap(api.GET("/v1/users/{user_id}/attempts", { params: { path: { user_id: id }, query: { limit: 20 } } }));
      return (page as unknown as { items: Attempt[] }).items;
    },
  });

export const useRecommendations = (id: string) =>
  useQuery({
    queryKey: ["learner", id, "recommendations"],
    queryFn: async () => (await unwrap(api.GET("/v1/users/{user_id}/recommendations", { params: { path: { user_id: id }, query: { limit: 5 } } }))).items,
  });

export const useGaps = (id: string, concept: string) =>
  useQuery({
    queryKey: ["learner", id, "gaps", concept],
    queryFn: async () => (await unwrap(api.GET("/v1/users/{user_id}/gaps", { params: { path: { user_id: id }, query: { concept, limit: 500 } } }))).items,
    enabled: concept !== "",
  });
