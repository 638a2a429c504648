import type { Logger } from '@ponte/core';
import type { AlertEvent, Notifier } from './notifier.js';

/** Alerts as log lines: `warn` when one fires (`error` if critical), `info` when it resolves. */
export function logNotifier(logger: Logger): Notifier {
  return {
    name: 'log',
    async notify(e: AlertEvent): Promise<void> {
      const fields = { alert: e.alert, model: e.model, version: e.version, severity: e.severity, detail: e.detail, window: e.window.seq };
      if (e.status === 'resolved') logger.info(fields, 'monitoring alert resolved');
      else if (e.severity === 'critical') logger.error(fields, 'monitoring alert firing');
      else logger.warn(fields, 'monitoring alert firing');
    },
  };
}
