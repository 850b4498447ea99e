export interface SessionInfo {
  principal: string;
  csrf_token: string;
  manage_keys: boolean;
  idle_timeout_minutes: number;
  absolute_timeout_minutes: number;
}
