import type { JsonValue, SegmentView } from '@ponte/core';
import { WindowAccumulator, type ReferenceProfile } from './engine/index.js';
import type { ModelMonitoringConfig } from './monitoring-config.js';
import type { LogPosition, WindowReport } from './window-report.js';

/** The open window and the read position, as kept in the store between ticks (and restarts). */
export interface MonitorState {
  readonly cursor: LogPosition | null;
  readonly nextSeq: number;
  readonly window: { readonly seq: number; readonly first: LogPosition; readonly last: LogPosition; readonly accumulator: JsonValue } | null;
}

/**
 * A record of the log as a reader is at it: its time, and where its id is
 * (a segment and an index, or the id itself). The id's text is built only
 * when a window edge or the cursor needs it: once per window, not per record.
 */
export class LogSpot {
  time = 0;
  private view: SegmentView | undefined;
  private index = 0;
  private id: string | undefined;

  /** A record of a segment. */
  at(time: number, view: SegmentView, index: number): void {
    this.time = time;
    this.view = view;
    this.index = index;
    this.id = undefined;
  }

  /** A record read whole. */
  atRecord(time: number, id: string): void {
    this.time = time;
    this.view = undefined;
    this.id = id;
  }

  copy(o: LogSpot): void {
    this.time = o.time;
    this.view = o.view;
    this.index = o.index;
    this.id = o.id;
  }

  position(): LogPosition {
    return { time: this.time, id: this.id ?? this.view!.id(this.index) };
  }
}

interface OpenWindow {
  readonly seq: number;
  readonly first: LogPosition;
  readonly acc: WindowAccumulator;
}

/**
 * One tick's pass over the log: rows go into the open window, which closes
 * when it holds `window.rows` rows or its first record is `window.seconds`
 * old, and a new one opens at the next row. Whatever reads the log (segments
 * or pages) calls `beginRecord`, `window` + `rowAdded` per row, and
 * `endRecord`, records in (time, id) order after `cursor`.
 */
export class WindowRun {
  /** The record being counted: the reader sets it before `beginRecord`. */
  readonly spot = new LogSpot();
  /** Where the pass started: records at or before it were counted by an earlier one. */
  readonly cursor: LogPosition | null;
  private readonly lastRow = new LogSpot();
  /** Whether a record was counted in this pass: then `spot` is the last one, the new cursor. */
  private counted = false;
  private nextSeq: number;
  private open: OpenWindow | null;
  private openLast: LogPosition | null;
  private readonly closed: WindowReport[] = [];
  private readonly maxRows: number | undefined;
  private readonly maxAge: number;

  constructor(
    private readonly profile: ReferenceProfile,
    config: ModelMonitoringConfig,
    state: MonitorState,
    private readonly report: (seq: number, first: LogPosition, last: LogPosition, acc: WindowAccumulator) => WindowReport,
  ) {
    this.cursor = state.cursor;
    this.nextSeq = state.nextSeq;
    const w = state.window;
    this.open = w === null ? null : { seq: w.seq, first: w.first, acc: WindowAccumulator.fromJSON(profile, w.accumulator) };
    this.openLast = w === null ? null : w.last;
    this.maxRows = config.window.rows;
    this.maxAge = config.window.seconds === undefined ? Infinity : config.window.seconds * 1000;
  }

  /** Closes the open window when the record at `spot` is past its age. */
  beginRecord(): void {
    if (this.open !== null && this.spot.time - this.open.first.time >= this.maxAge) this.close();
  }

  /** The window the next row goes into: the open one, or a new one starting at `spot`. */
  window(): WindowAccumulator {
    if (this.open === null) {
      this.open = { seq: this.nextSeq++, first: this.spot.position(), acc: new WindowAccumulator(this.profile) };
      this.openLast = null;
    }
    return this.open.acc;
  }

  /** After a row went into `window()`: closes the window when it is full. */
  rowAdded(): void {
    this.lastRow.copy(this.spot);
    this.openLast = null;
    if (this.maxRows !== undefined && this.open!.acc.rows >= this.maxRows) this.close();
  }

  endRecord(): void {
    this.counted = true;
  }

  /**
   * Ends the pass: a quiet window closes by time too (nothing more can
   * arrive for it once `until` has passed its end). Returns the windows
   * closed, the new cursor and the state to save.
   */
  finish(until: number): { closed: WindowReport[]; cursor: LogPosition | null; nextSeq: number; open: { seq: number; first: LogPosition; last: LogPosition; acc: WindowAccumulator } | null } {
    if (this.open !== null && until - this.open.first.time >= this.maxAge) this.close();
    const o = this.open;
    return {
      closed: this.closed,
      cursor: this.counted ? this.spot.position() : this.cursor,
      nextSeq: this.nextSeq,
      open: o === null ? null : { seq: o.seq, first: o.first, last: this.last(), acc: o.acc },
    };
  }

  /** The open window's last row: counted in this pass, or saved with the window. */
  private last(): LogPosition {
    return this.openLast ?? this.lastRow.position();
  }

  private close(): void {
    const o = this.open;
    if (o === null) return;
    this.closed.push(this.report(o.seq, o.first, this.last(), o.acc));
    this.open = null;
    this.openLast = null;
  }
}
