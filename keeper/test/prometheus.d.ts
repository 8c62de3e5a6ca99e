/** Types for `parse-prometheus-text-format` (it ships none): the Prometheus text exposition format as metric families. */
declare module "parse-prometheus-text-format" {
  export type ParsedMetric = {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  };
  export type ParsedFamily = { name: string; help: string; type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED"; metrics: ParsedMetric[] };
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
