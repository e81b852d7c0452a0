// The API key lives in sessionStorage only: closing the tab signs out.
const KEY = "lg.apiKey";

export const getKey = (): string | null => sessionStorage.getItem(KEY);
export const setKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const clearKey = (): void => sessionStorage.removeItem(KEY);
