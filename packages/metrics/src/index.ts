// A monitor as Prometheus sees it: the metrics (prom-client, a registry of its own) and the /metrics
// server, loopback unless told otherwise.
import { MonitorMetrics, type MetricsOptions } from './collector.js';
import { serveMetrics, type Listening } from './server.js';

export { MonitorMetrics, MAX_COMMAND_LABELS, type MetricsOptions } from './collector.js';
export { parseListen, listen, serveMetrics, type Listening } from './server.js';

/** Collects a monitor's metrics and serves them on http://host:port/metrics. */
export async function startMetrics(
  streams: ConstructorParameters<typeof MonitorMetrics>[0],
  o: MetricsOptions & { host: string; port: number },
): Promise<Listening & { metrics: MonitorMetrics }> {
  const metrics = new MonitorMetrics(streams, o);
  try {
    const listening = await serveMetrics(() => metrics.metrics(), metrics.registry.contentType, o);
    return {
      ...listening, metrics, close: async () => {
        metrics.stop();
        await listening.close();
      },
    };
  } catch (err) {
    metrics.stop();
    throw err;
  }
}
