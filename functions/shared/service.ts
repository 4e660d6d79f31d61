/** The service's name in logs, metrics and resource descriptions, and its CloudWatch metrics namespace. */
export const SERVICE_NAME = 'fireworks-error-triage';
export const METRICS_NAMESPACE = 'FireworksErrorTriage';
